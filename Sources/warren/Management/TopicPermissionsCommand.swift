import ArgumentParser

/// `warren topic-permissions set|clear|list`, as rabbitmqctl set_topic_permissions and friends.
struct TopicPermissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topic-permissions", abstract: "Manage write/read patterns on routing keys of topic exchanges.",
        subcommands: [Set.self, Clear.self, List.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's write and read patterns on one exchange's routing keys.")
        @OptionGroup var api: ManagementOptions
        @Option(name: [.long, .customShort("p")]) var vhost = "/"
        @Argument var user: String
        @Argument var exchange: String
        @Argument var write: String
        @Argument var read: String

        func run() async throws {
            try await api.call("PUT", "/api/topic-permissions/\(pathSegment(vhost))/\(pathSegment(user))",
                               json: ["exchange": exchange, "write": write, "read": read])
            print("set topic permissions of '\(user)' on '\(exchange)' in vhost '\(vhost)'")
        }
    }

    struct Clear: AsyncParsableCommand {
        @OptionGroup var api: ManagementOptions
        @Option(name: [.long, .customShort("p")]) var vhost = "/"
        @Option(help: "Only this exchange's.") var exchange: String?
        @Argument var user: String

        func run() async throws {
            let query = exchange.map { "?exchange=\(pathSegment($0))" } ?? ""
            _ = try await api.call("DELETE", "/api/topic-permissions/\(pathSegment(vhost))/\(pathSegment(user))\(query)")
            print("cleared topic permissions of '\(user)' in vhost '\(vhost)'")
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var api: ManagementOptions
        @OptionGroup var output: ListingOptions

        func run() async throws {
            try await ObjectListing(path: "topic-permissions", columns: ["user", "vhost", "exchange", "write", "read"],
                                    vhostPath: { "vhosts/\($0)/topic-permissions" }).run(api, output)
        }
    }
}
