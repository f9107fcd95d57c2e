import ArgumentParser

/// `warren users add|delete|list|set-password|set-tags`, as rabbitmqctl's user commands, over the API.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage users (as rabbitmqctl add_user, delete_user, list_users, change_password, set_user_tags).",
        subcommands: [Add.self, Delete.self, List.self, SetPassword.self, SetTags.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user (no permissions until granted).")
        @OptionGroup var api: ManagementOptions
        @Argument var name: String
        @Argument var password: String
        @Option(help: "Comma-separated tags: administrator, monitoring, policymaker, management.") var tags = ""

        func run() async throws {
            try await api.call("PUT", "/api/users/\(pathSegment(name))", json: ["password": password, "tags": tags])
            print("added user '\(name)'")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user; its connections are closed.")
        @OptionGroup var api: ManagementOptions
        @Argument var name: String

        func run() async throws {
            _ = try await api.call("DELETE", "/api/users/\(pathSegment(name))")
            print("deleted user '\(name)'")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their tags.")
        @OptionGroup var api: ManagementOptions
        @OptionGroup var output: ListingOptions

        func run() async throws { try await ObjectListing(path: "users", columns: ["name", "tags"]).run(api, output) }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-password", abstract: "Change a user's password.")
        @OptionGroup var api: ManagementOptions
        @Argument var name: String
        @Argument var password: String

        func run() async throws {
            try await api.call("PUT", "/api/users/\(pathSegment(name))", json: ["password": password])
            print("changed the password of '\(name)'")
        }
    }

    struct SetTags: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-tags", abstract: "Replace a user's tags.")
        @OptionGroup var api: ManagementOptions
        @Argument var name: String
        @Argument(help: "Tags, comma- or space-separated; none clears them.") var tags: [String] = []

        func run() async throws {
            try await api.call("PUT", "/api/users/\(pathSegment(name))", json: ["tags": tags.joined(separator: ",")])
            print("set the tags of '\(name)' to [\(tags.joined(separator: ","))]")
        }
    }
}
