/// One question `warren compare` answers, measured on Redis and on AMQP.
protocol CompareScenario {
    /// The `--scenario` name.
    static var name: String { get }
    /// What the scenario asks, in a few words.
    static var title: String { get }
    static func run(_ context: CompareContext) async throws -> ScenarioReport
}

extension CompareScenario {
    static func report(verdict: String, rows: [ComparisonRow]) -> ScenarioReport {
        ScenarioReport(name: name, title: title, verdict: verdict, rows: rows)
    }
}

/// Every scenario, in the order a full run takes them.
enum CompareScenarios {
    static var all: [any CompareScenario.Type] { [
        ConsumerCrashScenario.self, ServerRestartScenario.self, FanOutScenario.self, ReplayScenario.self,
        RoutingScenario.self, OrderingScenario.self, SlowConsumerScenario.self, ThroughputScenario.self,
        LatencyScenario.self, CountersScenario.self,
    ] }

    static var names: [String] { all.map { $0.name } }

    /// The scenarios named, in the canonical order; all of them for an empty list.
    static func selected(_ names: [String]) throws(CompareError) -> [any CompareScenario.Type] {
        for name in names where !self.names.contains(name) {
            throw CompareError("unknown scenario '\(name.prefix(64))'; choose from \(self.names.joined(separator: ", "))")
        }
        return names.isEmpty ? all : all.filter { names.contains($0.name) }
    }
}
