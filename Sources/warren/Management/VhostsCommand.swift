import ArgumentParser

/// `warren vhosts add|delete|list`, as rabbitmqctl add_vhost, delete_vhost, list_vhosts.
struct VhostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vhosts", abstract: "Manage vhosts (deleting one closes its connections and deletes its queues).",
        subcommands: [Add.self, Delete.self, List.self])

    struct Add: AsyncParsableCommand {
        @OptionGroup var api: ManagementOptions
        @Argument var name: String

        func run() async throws {
            try await api.call("PUT", "/api/vhosts/\(pathSegment(name))", json: [:])
            print("added vhost '\(name)'")
        }
    }

    struct Delete: AsyncParsableCommand {
        @OptionGroup var api: ManagementOptions
        @Argument var name: String

        func run() async throws {
            _ = try await api.call("DELETE", "/api/vhosts/\(pathSegment(name))")
            print("deleted vhost '\(name)'")
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var api: ManagementOptions
        @OptionGroup var output: ListingOptions

        func run() async throws { try await ObjectListing(path: "vhosts", columns: ["name", "messages"]).run(api, output) }
    }
}
