import ArgumentParser

/// `warren permissions set|clear|list`, as rabbitmqctl set_permissions, clear_permissions, list_permissions.
struct PermissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permissions", abstract: "Manage configure/write/read permissions of users in vhosts.",
        subcommands: [Set.self, Clear.self, List.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's configure, write and read patterns in a vhost.")
        @OptionGroup var api: ManagementOptions
        @Option(name: [.long, .customShort("p")]) var vhost = "/"
        @Argument var user: String
        @Argument var configure: String
        @Argument var write: String
        @Argument var read: String

        func run() async throws {
            try await api.call("PUT", "/api/permissions/\(pathSegment(vhost))/\(pathSegment(user))",
                               json: ["configure": configure, "write": write, "read": read])
            print("set permissions of '\(user)' in vhost '\(vhost)'")
        }
    }

    struct Clear: AsyncParsableCommand {
        @OptionGroup var api: ManagementOptions
        @Option(name: [.long, .customShort("p")]) var vhost = "/"
        @Argument var user: String

        func run() async throws {
            _ = try await api.call("DELETE", "/api/permissions/\(pathSegment(vhost))/\(pathSegment(user))")
            print("cleared permissions of '\(user)' in vhost '\(vhost)'")
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var api: ManagementOptions
        @OptionGroup var output: ListingOptions

        func run() async throws {
            try await ObjectListing(path: "permissions", columns: ["user", "vhost", "configure", "write", "read"],
                                    vhostPath: { "vhosts/\($0)/permissions" }).run(api, output)
        }
    }
}
