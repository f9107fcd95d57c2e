import Foundation
import Testing

@testable import Management

/// Definitions documents between RabbitMQ's whole-node and per-vhost shapes, and request bodies
/// read as RabbitMQ reads them.
@Suite struct DefinitionsDocumentTests {
    private func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func aPerVhostImportPutsEveryObjectInTheVhostAndFillsMissingLists() throws {
        let upload = Data(#"{"queues": [{"name": "q", "vhost": "elsewhere"}], "policies": [{"name": "p"}]}"#.utf8)
        let document = try object(try DefinitionsDocument.normalized(upload, vhost: "logs"))
        #expect((document["queues"] as? [[String: Any]])?.first?["vhost"] as? String == "logs")
        #expect((document["policies"] as? [[String: Any]])?.first?["vhost"] as? String == "logs")
        for key in ["vhosts", "exchanges", "bindings"] { #expect((document[key] as? [Any])?.isEmpty == true) }
        let whole = try object(try DefinitionsDocument.normalized(upload, vhost: nil))
        #expect((whole["queues"] as? [[String: Any]])?.first?["vhost"] as? String == "elsewhere")
        #expect(throws: APIError.self) { try DefinitionsDocument.normalized(Data("[1, 2]".utf8), vhost: nil) }
    }

    @Test func aVhostsExportHasOnlyItsObjectsWithoutVhostFields() {
        let export: [String: Any] = [
            "vhosts": [["name": "/"], ["name": "logs"]],
            "queues": [["name": "a", "vhost": "/"], ["name": "b", "vhost": "logs"]],
            "policies": [["name": "p", "vhost": "logs"]],
        ]
        let scoped = DefinitionsDocument.ofVhost("logs", from: export)
        #expect(scoped["vhosts"] == nil)
        #expect((scoped["queues"] as? [[String: Any]])?.map { $0.keys.sorted() } == [["name"]])
        #expect((scoped["policies"] as? [[String: Any]])?.first?["vhost"] as? String == "logs")
    }

    @Test func getAndPublishBodiesAreReadAsRabbitMQReadsThem() throws {
        let get = try RequestInput.get(["count": "3", "ackmode": "ack_requeue_false", "encoding": "auto"])
        #expect(get.count == 3 && !get.requeue && !get.base64)
        #expect(throws: APIError.self) { try RequestInput.get(["count": true, "ackmode": "ack_requeue_true", "encoding": "auto"]) }
        #expect(throws: APIError.self) { try RequestInput.get(["count": 1, "encoding": "auto"]) }
        let publish = try RequestInput.publish(["routing_key": "k", "payload": "aGk=", "payload_encoding": "base64",
                                                "properties": ["delivery_mode": 2, "headers": ["h": 1]]])
        let properties = try publish.header.properties()
        #expect(publish.body.readableBytes == 2 && properties.deliveryMode == 2)
        #expect(throws: APIError.self) { try RequestInput.publish(["routing_key": "k", "payload": "x"]) }
        #expect(throws: APIError.self) {
            try RequestInput.publish(["routing_key": "k", "payload": "x", "payload_encoding": "string", "properties": ["priority": 300]])
        }
    }

    @Test func aPolicyBodyNeedsPatternAndDefinitionAndANumericPriority() throws {
        let policy = try RequestInput.policy(["pattern": "^q", "definition": ["max-length": 5], "priority": 3], vhost: "/", name: "p")
        #expect(policy.priority == 3 && policy.applyTo == "all" && policy.definition.table["max-length"]?.integerValue == 5)
        for body: [String: Any] in [["definition": ["max-length": 5]], ["pattern": "x"], ["pattern": "x", "definition": 5],
                                    ["pattern": "x", "definition": ["max-length": 5], "priority": true]] {
            #expect(throws: APIError.self) { try RequestInput.policy(body, vhost: "/", name: "p") }
        }
    }
}
