import ArgumentParser

/// `warren queues [COLUMN…]`: queues with rabbitmqctl list_queues' column names.
struct QueuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues",
        abstract: "List queues (columns as rabbitmqctl list_queues: name messages messages_ready messages_unacknowledged consumers durable auto_delete exclusive arguments memory policy …)."
    )
    @OptionGroup var api: ManagementOptions
    @OptionGroup var output: ListingOptions
    @Argument(help: "Columns.") var columns: [String] = ["name", "messages_ready", "messages_unacknowledged", "consumers"]

    func run() async throws { try await ObjectListing(path: "queues", columns: columns).run(api, output) }
}

/// `warren exchanges [COLUMN…]`.
struct ExchangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exchanges", abstract: "List exchanges.")
    @OptionGroup var api: ManagementOptions
    @OptionGroup var output: ListingOptions
    @Argument(help: "Columns.") var columns: [String] = ["name", "type", "durable", "auto_delete"]

    func run() async throws { try await ObjectListing(path: "exchanges", columns: columns).run(api, output) }
}

/// `warren bindings [COLUMN…]`.
struct BindingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bindings", abstract: "List bindings.")
    @OptionGroup var api: ManagementOptions
    @OptionGroup var output: ListingOptions
    @Argument(help: "Columns.") var columns: [String] = ["source", "destination", "destination_type", "routing_key"]

    func run() async throws { try await ObjectListing(path: "bindings", columns: columns).run(api, output) }
}

/// `warren connections [COLUMN…]`.
struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connections", abstract: "List client connections.")
    @OptionGroup var api: ManagementOptions
    @OptionGroup var output: ListingOptions
    @Argument(help: "Columns.") var columns: [String] = ["name", "user", "vhost", "channels"]

    func run() async throws { try await ObjectListing(path: "connections", columns: columns).run(api, output) }
}

/// `warren upstreams [COLUMN…]`: the forwarders to RabbitMQ clusters (`/api/upstreams`).
struct UpstreamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upstreams",
        abstract: "List upstreams (columns: name state node backlog forwarded confirms_outstanding rate retried dead_lettered failovers last_error last_error_at)."
    )
    @OptionGroup var api: ManagementOptions
    @OptionGroup var output: ListingOptions
    @Argument(help: "Columns.") var columns: [String] = ["name", "state", "node", "backlog", "forwarded", "rate", "dead_lettered", "last_error"]

    func run() async throws { try await ObjectListing(path: "upstreams", columns: columns).run(api, output) }
}
