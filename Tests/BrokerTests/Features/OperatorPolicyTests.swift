import AMQPWire
@testable import Broker
import Foundation
import Testing

/// Operator policies: RabbitMQ's `set_operator_policy`, which caps queue limits whatever the
/// policies and the queue's own arguments say (`rabbit_policy:merge_operator_definitions`).
extension PolicyTests {
    @Test func theSmallerOfPolicyAndOperatorPolicyAppliesAndOtherKeysCombine() throws {
        try broker.setPolicy(Policy(name: "p", pattern: ".*", definition: ["max-length": .int64(100), "dead-letter-exchange": .longString("dlx")]))
        try broker.setPolicy(Policy(name: "cap", pattern: ".*", applyTo: "queues", definition: ["max-length": .int64(10), "message-ttl": .int64(60_000)]),
                             kind: .operatorPolicy)
        client.declareQueue("q")
        #expect(features("q")?.maxLength == 10)
        #expect(features("q")?.messageTTL == 60_000)
        #expect(features("q")?.deadLetterExchange == "dlx")
        let snapshot = try #require(broker.queueSnapshots().first { $0.name == "q" })
        #expect(snapshot.policy == "p" && snapshot.operatorPolicy == "cap")
        #expect(snapshot.effectivePolicyDefinition["max-length"]?.integerValue == 10)
        #expect(snapshot.effectivePolicyDefinition["dead-letter-exchange"] == .longString("dlx"))
    }

    @Test func anOperatorPolicyNeverRaisesALimit() throws {
        try broker.setPolicy(Policy(name: "p", pattern: ".*", definition: ["max-length": .int64(3)]))
        try broker.setPolicy(Policy(name: "cap", pattern: ".*", definition: ["max-length": .int64(10)]), kind: .operatorPolicy)
        client.declareQueue("q", arguments: ["x-max-length": .int32(50)])
        #expect(features("q")?.maxLength == 3)
    }

    @Test func anOperatorPolicyCapsAQueueArgumentAndClearingItRestoresIt() throws {
        client.declareQueue("q", arguments: ["x-max-length": .int32(50)])
        try broker.setPolicy(Policy(name: "cap", pattern: "^q$", definition: ["max-length": .int64(5)]), kind: .operatorPolicy)
        #expect(features("q")?.maxLength == 5)
        #expect(broker.policies().isEmpty && broker.policies(kind: .operatorPolicy).map(\.name) == ["cap"])
        #expect(broker.clearPolicy(vhost: "/", policy: "cap", kind: .operatorPolicy))
        #expect(features("q")?.maxLength == 50)
        #expect(!broker.clearPolicy(vhost: "/", policy: "cap", kind: .operatorPolicy))
    }

    @Test func anOperatorPolicyTakesOnlyLimits() {
        #expect(throws: AMQPError(.preconditionFailed, "[{<<\"dead-letter-exchange\">>,<<\"x\">>}] are not recognised policy settings")) {
            try broker.setPolicy(Policy(name: "op", pattern: ".*", definition: ["dead-letter-exchange": .longString("x")]),
                                 kind: .operatorPolicy)
        }
        #expect(throws: AMQPError(.preconditionFailed, "no policy provided")) {
            try broker.setPolicy(Policy(name: "op", pattern: ".*", definition: [:]), kind: .operatorPolicy)
        }
        #expect(broker.policies(kind: .operatorPolicy).isEmpty)
    }

    @Test func operatorPoliciesAreExportedAsRabbitMQParametersAndRestored() throws {
        try broker.setPolicy(Policy(name: "cap", pattern: "^d", applyTo: "queues", priority: 2, definition: ["expires": .int64(1000)]),
                             kind: .operatorPolicy)
        let definitions = broker.durableDefinitions()
        #expect(definitions.policies == nil)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(definitions)) as? [String: Any]
        let parameters = try #require(json?["parameters"] as? [[String: Any]])
        #expect(parameters.count == 1 && parameters[0]["component"] as? String == "operator_policy")
        let value = try #require(parameters[0]["value"] as? [String: Any])
        #expect(value["pattern"] as? String == "^d" && value["apply-to"] as? String == "queues" && value["priority"] as? Int == 2)
        let decoded = try JSONDecoder().decode(Definitions.self, from: JSONEncoder().encode(definitions))
        let restored = Broker()
        #expect(restored.restore(decoded).isEmpty)
        #expect(restored.policies(kind: .operatorPolicy) == broker.policies(kind: .operatorPolicy))
    }

    @Test func anImportWithAnUnsupportedParameterChangesNothing() throws {
        let document = Data("""
        {"parameters": [{"vhost": "/", "component": "shovel", "name": "s", "value": {"src-uri": "amqp://"}}],
         "vhosts": [], "exchanges": [], "bindings": [],
         "queues": [{"vhost": "/", "name": "new", "durable": true, "auto_delete": false, "arguments": {}}]}
        """.utf8)
        let definitions = try JSONDecoder().decode(Definitions.self, from: document)
        #expect(throws: AMQPError.self) { try broker.importDefinitions(definitions) }
        #expect(broker.vhost("/")?.queues["new"] == nil)
    }

    @Test func importedPoliciesApplyToQueuesThatExistAlready() throws {
        client.declareQueue("q")
        let document = Data("""
        {"vhosts": [], "exchanges": [], "queues": [], "bindings": [],
         "policies": [{"vhost": "/", "name": "p", "pattern": "^q$", "apply-to": "queues", "priority": 0, "definition": {"max-length": 7}}],
         "parameters": [{"vhost": "/", "component": "operator_policy", "name": "op",
                         "value": {"pattern": "^q$", "apply-to": "queues", "priority": 0, "definition": {"max-length": 4}}}]}
        """.utf8)
        try broker.importDefinitions(try JSONDecoder().decode(Definitions.self, from: document))
        #expect(features("q")?.maxLength == 4)
    }
}
