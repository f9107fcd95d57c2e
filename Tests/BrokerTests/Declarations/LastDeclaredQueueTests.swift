import AMQPWire
import Testing

@testable import Broker

/// An empty queue name means the queue last declared on the channel.
@Suite struct LastDeclaredQueueTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
    }

    @Test func bindWithEmptyNameAndKeyUsesTheQueueNameAsKey() {
        let name = client.declareQueue("")
        client.bindQueue("", to: "amq.direct", key: "")
        client.publish("m", exchange: "amq.direct", key: name)
        #expect(broker.readyBodies(name) == ["m"])
        #expect(broker.vhost("/")?.exchanges["amq.direct"]?.bindings == [Binding(destination: .queue(name), key: name)])
    }

    @Test func bindWithEmptyNameKeepsAnExplicitKey() {
        let name = client.declareQueue("")
        client.bindQueue("", to: "amq.direct", key: "k")
        #expect(broker.vhost("/")?.exchanges["amq.direct"]?.bindings == [Binding(destination: .queue(name), key: "k")])
    }

    @Test func consumeGetPurgeAndDeleteUseTheLastDeclaredQueue() {
        client.declareQueue("first")
        let name = client.declareQueue("")
        client.publish("1", key: name)
        client.publish("2", key: name)
        client.publish("3", key: name)
        #expect(client.get("").gets.map(\.message.body) == ["1"])
        expectMethods(client.call(.queuePurge(QueuePurge(queue: ""))), [.queuePurgeOk(QueuePurgeOk(messageCount: 2))])
        client.publish("4", key: name)
        let (_, consumed) = client.consume("", tag: "c")
        #expect(consumed.bodies == ["4"])
        let deleted = client.call(.queueDelete(QueueDelete(queue: "")))
        #expect(deleted.deleteOk == QueueDeleteOk(messageCount: 0))
        #expect(!broker.hasQueue(name))
        #expect(broker.hasQueue("first"))
    }

    @Test func aPassiveDeclareAlsoCountsAsTheLastDeclared() {
        client.declareQueue("a")
        client.declareQueue("b")
        client.call(.queueDeclare(QueueDeclare(queue: "a", passive: true)))
        client.publish("m", key: "a")
        #expect(client.get("").gets.map(\.message.body) == ["m"])
    }

    @Test func theLastDeclaredQueueIsPerChannel() {
        client.declareQueue("q")
        client.open(2)
        let out = client.get("", on: 2)
        #expect(out.channelErrors.first?.channel == 2)
        #expect(out.channelError?.code == .notFound)
        #expect(out.channelError?.text == "NOT_FOUND - no previously declared queue")
    }
}
