import AMQPWire
import Testing

@testable import Broker

/// Topic routing through the broker: bindings added and removed by clients, messages counted in queues.
@Suite struct TopicExchangeRoutingTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
        client.declareExchange("t", type: "topic")
    }

    @Test func severalMatchingBindingsDeliverOneCopyPerQueue() {
        let q = client.declareQueue("q")
        for key in ["a.*", "#", "a.b", "*.b", "a.#.b", "#.#"] {
            client.bindQueue(q, to: "t", key: key)
        }
        client.publish("m", exchange: "t", key: "a.b")
        #expect(broker.readyBodies("q") == ["m"])
    }

    @Test func eachMatchingQueueGetsItsOwnCopy() {
        client.declareQueue("q1")
        client.declareQueue("q2")
        client.declareQueue("q3")
        client.bindQueue("q1", to: "t", key: "log.*")
        client.bindQueue("q2", to: "t", key: "log.#")
        client.bindQueue("q3", to: "t", key: "*.error")
        client.publish("1", exchange: "t", key: "log.error")
        client.publish("2", exchange: "t", key: "log")
        client.publish("3", exchange: "t", key: "disk.error")
        client.publish("4", exchange: "t", key: "log.disk.info")
        #expect(broker.readyBodies("q1") == ["1"])
        #expect(broker.readyBodies("q2") == ["1", "2", "4"])
        #expect(broker.readyBodies("q3") == ["1", "3"])
    }

    @Test func bindingAddedAfterAFirstPublishOfTheSameKeyTakesEffect() {
        // The exchange caches match results per routing key; a new binding must not see a stale answer.
        client.declareQueue("q")
        let out = client.publish("early", exchange: "t", key: "a.b", mandatory: true)
        #expect(out.returns.map(\.body) == ["early"])
        client.bindQueue("q", to: "t", key: "a.*")
        client.publish("late", exchange: "t", key: "a.b")
        #expect(broker.readyBodies("q") == ["late"])
    }

    @Test func unbindingStopsRoutingForThatKeyOnly() {
        client.declareQueue("q")
        client.bindQueue("q", to: "t", key: "a.*")
        client.bindQueue("q", to: "t", key: "#.c")
        client.publish("1", exchange: "t", key: "a.c")
        let out = client.call(.queueUnbind(QueueUnbind(queue: "q", exchange: "t", routingKey: "a.*")))
        expectMethods(out, [.queueUnbindOk])
        client.publish("2", exchange: "t", key: "a.b")  // only a.* matched this
        client.publish("3", exchange: "t", key: "a.c")  // still matched by #.c
        #expect(broker.readyBodies("q") == ["1", "3"])
    }

    @Test func emptyRoutingKeyMatchesHashAndEmptyBindingOnly() {
        client.declareQueue("hash")
        client.declareQueue("empty")
        client.declareQueue("star")
        client.bindQueue("hash", to: "t", key: "#")
        client.bindQueue("empty", to: "t", key: "")
        client.bindQueue("star", to: "t", key: "*")
        client.publish("m", exchange: "t", key: "")
        #expect(broker.readyBodies("hash") == ["m"])
        #expect(broker.readyBodies("empty") == ["m"])
        #expect(broker.readyBodies("star") == [])  // RabbitMQ: "" is zero words; `*` needs one
    }

    @Test func predeclaredAmqTopicRoutes() {
        client.declareQueue("q")
        client.bindQueue("q", to: "amq.topic", key: "x.#")
        client.publish("m", exchange: "amq.topic", key: "x.y.z")
        #expect(broker.readyBodies("q") == ["m"])
    }
}
