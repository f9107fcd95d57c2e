import ArgumentParser

/// The `warren` command: a syslog collector with an AMQP 0-9-1 broker inside.
@main
struct Warren: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warren",
        abstract: "Collect syslog, route it through an embedded AMQP 0-9-1 broker, subscribe by pattern.",
        subcommands: [ServeCommand.self, EmitCommand.self, TailCommand.self, BenchCommand.self, ShipCommand.self,
                      StatsCommand.self, RecentCommand.self, CompareCommand.self, QueuesCommand.self,
                      ExchangesCommand.self, BindingsCommand.self, ConnectionsCommand.self, UpstreamsCommand.self, DefinitionsCommand.self,
                      UsersCommand.self, VhostsCommand.self, PermissionsCommand.self, TopicPermissionsCommand.self],
        defaultSubcommand: nil
    )
}
