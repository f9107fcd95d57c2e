import AMQPWire
import Testing

@testable import Broker

/// Direct, fanout and default-exchange routing.
@Suite struct DirectFanoutRoutingTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
    }

    @Test func directRoutesOnExactKey() {
        client.declareExchange("d", type: "direct")
        for q in ["q1", "q2", "q3"] { client.declareQueue(q) }
        client.bindQueue("q1", to: "d", key: "k")
        client.bindQueue("q2", to: "d", key: "k")
        client.bindQueue("q3", to: "d", key: "other")
        client.publish("m", exchange: "d", key: "k")
        client.publish("n", exchange: "d", key: "K")
        #expect(broker.readyBodies("q1") == ["m"])
        #expect(broker.readyBodies("q2") == ["m"])
        #expect(broker.readyBodies("q3") == [])
    }

    @Test func directSameQueueBoundTwiceWithSameKeyGetsOneCopy() {
        client.declareExchange("d", type: "direct")
        client.declareQueue("q")
        client.bindQueue("q", to: "d", key: "k", arguments: ["v": 1])
        client.bindQueue("q", to: "d", key: "k", arguments: ["v": 2])
        client.bindQueue("q", to: "d", key: "k")
        client.publish("m", exchange: "d", key: "k")
        #expect(broker.readyBodies("q") == ["m"])
    }

    @Test func fanoutIgnoresTheRoutingKey() {
        client.declareExchange("f", type: "fanout")
        client.declareQueue("q1")
        client.declareQueue("q2")
        client.bindQueue("q1", to: "f", key: "a")
        client.bindQueue("q2", to: "f", key: "b")
        client.bindQueue("q2", to: "f", key: "c")
        client.publish("m", exchange: "f", key: "zzz")
        #expect(broker.readyBodies("q1") == ["m"])
        #expect(broker.readyBodies("q2") == ["m"])
    }

    @Test func defaultExchangeRoutesByQueueName() {
        client.declareQueue("orders")
        client.declareQueue("other")
        client.publish("m", key: "orders")
        #expect(broker.readyBodies("orders") == ["m"])
        #expect(broker.readyBodies("other") == [])
    }

    @Test func defaultExchangeToAMissingQueueIsUnroutable() {
        let out = client.publish("lost", key: "nobody", mandatory: true)
        #expect(out.returns.count == 1)
        #expect(out.returns.first?.method == BasicReturn(replyCode: 312, replyText: "NO_ROUTE", exchange: "", routingKey: "nobody"))
        #expect(out.returns.first?.body == "lost")
    }

    @Test func unroutableWithoutMandatoryIsDroppedSilently() {
        client.declareExchange("d", type: "direct")
        let out = client.publish("lost", exchange: "d", key: "k")
        #expect(out.isEmpty)
    }

    @Test func deletedQueueIsNoLongerADestination() {
        client.declareExchange("f", type: "fanout")
        client.declareQueue("q")
        client.bindQueue("q", to: "f")
        client.call(.queueDelete(QueueDelete(queue: "q")))
        client.declareQueue("q")  // same name again, but not bound
        let out = client.publish("m", exchange: "f", key: "", mandatory: true)
        #expect(out.returns.count == 1)
        #expect(broker.readyBodies("q") == [])
    }

    @Test func deliveryCarriesExchangeAndRoutingKeyOfThePublish() {
        client.declareExchange("f", type: "fanout")
        client.declareQueue("q")
        client.bindQueue("q", to: "f", key: "binding-key")
        client.publish("m", exchange: "f", key: "publish-key")
        let out = client.get("q")
        #expect(out.gets.first?.message.exchange == "f")
        #expect(out.gets.first?.message.routingKey == "publish-key")
    }
}
