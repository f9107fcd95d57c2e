import AMQPWire
@testable import Broker
import Testing

/// Policy patterns are found anywhere in a name, as RabbitMQ's `re:run`, by the linear-time engine:
/// patterns a backtracking engine takes exponential time on are accepted and match correctly.
@Suite struct PolicyPatternTests {
    @Test(arguments: [("^(a+)+$", String(repeating: "a", count: 40) + "b", false), ("^(a+)+$", "aaaa", true),
                      ("(a|a)*$", String(repeating: "a", count: 40) + "!", true), ("^amq\\.", "amq.gen-1", true),
                      ("logs", "app.logs.tail", true), ("", "anything", true), ("^$", "x", false)])
    func patternsAreSearchedForAnywhereInTheName(pattern: String, name: String, found: Bool) {
        var patterns = PolicyPatterns()
        #expect(patterns.matches(pattern, name) == found)
    }

    @Test func aPolicyWithANestedRepetitionAppliesToTheQueuesItMatches() throws {
        let broker = Broker()
        try broker.setPolicy(Policy(name: "nested", pattern: "^(a+)+$", definition: ["max-length": .int64(1)]))
        #expect(broker.policies().map(\.name) == ["nested"])
    }

    @Test func anInvalidPatternIsRefusedWithTheReason() {
        let broker = Broker()
        #expect(throws: AMQPError.self) {
            try broker.setPolicy(Policy(name: "bad", pattern: "(a", definition: ["max-length": .int64(1)]))
        }
        #expect(broker.policies().isEmpty)
    }
}
