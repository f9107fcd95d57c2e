import AMQPWire
import Testing

@testable import Broker

/// Direct reply-to names cannot be guessed, and lead to their consumer only from its own vhost.
@Suite struct DirectReplyToScopeTests {
    static let pseudoQueue = "amq.rabbitmq.reply-to"

    private func replyName(_ client: TestClient) throws -> String {
        client.open()
        client.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "replies", noAck: true)))
        client.declareQueue("echo")
        client.publish("request", key: "echo", properties: BasicProperties(replyTo: Self.pseudoQueue))
        let out = client.call(.basicGet(BasicGet(queue: "echo", noAck: true)))
        guard case .content(_, _, let header, _)? = out.first else { throw AMQPError(.internalError, "no request: \(out)") }
        return try #require(try header.properties().replyTo)
    }

    @Test func namesCarryAtLeast128RandomBits() throws {
        let broker = Broker()
        let names = try (1...3).map { try replyName(TestClient(broker, id: UInt64($0))) }
        #expect(Set(names).count == 3)
        for name in names {
            let secret = name.dropFirst(Self.pseudoQueue.count + 1)
            #expect(secret.count >= 22)  // 22 characters of a 64-letter alphabet: 132 bits
            #expect(!secret.contains("."))  // no connection or channel number in it
        }
    }

    @Test func aReplyFromAnotherVhostIsUnroutable() throws {
        let broker = Broker(vhosts: ["/", "other"])
        let requester = TestClient(broker, id: 1)
        let name = try replyName(requester)
        let stranger = TestClient(broker, id: 2, vhost: "other")
        stranger.open()
        #expect(stranger.publish("forged", key: name, mandatory: true).returns.count == 1)
        #expect(requester.take().deliveries.isEmpty)
        let neighbour = TestClient(broker, id: 3)
        neighbour.open()
        #expect(neighbour.publish("reply", key: name, mandatory: true).returns.isEmpty)
        #expect(requester.take().deliveries.map(\.body) == ["reply"])
    }
}
