import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// A recovered message's TTL counts from its publish time when the store kept it.
@Suite struct RestoredMessageTTLTests {
    let broker = Broker()
    let time = ManualTime()
    let client: TestClient

    init() {
        let time = self.time
        broker.clock = { time.now }
        broker.timers = time
        client = TestClient(broker)
        client.open()
        client.declareQueue("q", durable: true, arguments: ["x-message-ttl": .int32(1000)])
    }

    private func restore(publishedAt: Int64?) {
        broker.restoreMessage(vhost: "/", queue: "q", storeID: 1, exchange: "", routingKey: "q", publishedAt: publishedAt,
                              properties: ByteBuffer(bytes: [0, 0]), body: ByteBuffer(string: "m"), redelivered: false)
    }

    @Test func expiresAtPublishTimePlusTTL() {
        restore(publishedAt: time.now - 600)
        time.now += 399
        broker.runTimers()
        #expect(broker.readyBodies("q") == ["m"])
        time.now += 1
        broker.runTimers()
        #expect(broker.readyBodies("q") == [])
    }

    @Test func withoutAPublishTimeTheTTLCountsFromRecovery() {
        restore(publishedAt: nil)
        time.now += 999
        broker.runTimers()
        #expect(broker.readyBodies("q") == ["m"])
        time.now += 1
        broker.runTimers()
        #expect(broker.readyBodies("q") == [])
    }

    @Test func absurdPublishTimesDoNotTrap() {
        restore(publishedAt: .min)
        restore(publishedAt: .max)
        #expect(broker.readyBodies("q")?.count == 2)
        broker.runTimers()
        #expect(broker.readyBodies("q") == ["m"])  // the one published at Int64.min (the head) has long expired
    }
}
