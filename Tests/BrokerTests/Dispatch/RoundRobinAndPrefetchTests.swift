import AMQPWire
import Testing

@testable import Broker

/// Consumers take turns; basic.qos limits unacknowledged deliveries per consumer or per channel.
@Suite struct RoundRobinAndPrefetchTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
        client.declareQueue("q")
    }

    func publish(_ bodies: [String], to queue: String = "q") -> [Outbound] {
        client.run(bodies.map { Cmd.publish($0, key: queue) })
    }

    @Test func consumersTakeTurns() {
        client.consume("q", tag: "a")
        client.consume("q", tag: "b")
        client.consume("q", tag: "c")
        let out = publish(["1", "2", "3", "4", "5", "6", "7"])
        #expect(out.deliveries.map(\.consumerTag) == ["a", "b", "c", "a", "b", "c", "a"])
        #expect(out.bodies == ["1", "2", "3", "4", "5", "6", "7"])
        #expect(out.deliveries.map(\.deliveryTag) == [1, 2, 3, 4, 5, 6, 7])
    }

    @Test func consumersOnDifferentConnectionsTakeTurns() {
        let other = TestClient(broker, id: 2)
        other.open()
        client.consume("q", tag: "mine")
        other.consume("q", tag: "theirs")
        let mine = publish(["1", "2", "3", "4"])
        let theirs = other.take()
        #expect(mine.bodies == ["1", "3"])
        #expect(theirs.bodies == ["2", "4"])
        // Delivery tags are per channel.
        #expect(mine.deliveries.map(\.deliveryTag) == [1, 2])
        #expect(theirs.deliveries.map(\.deliveryTag) == [1, 2])
    }

    @Test func consumerStartedOnAQueueWithMessagesGetsThemAtOnce() {
        _ = publish(["1", "2"])
        let (_, out) = client.consume("q", tag: "c")
        #expect(out.methods.first == .basicConsumeOk(BasicConsumeOk(consumerTag: "c")))
        #expect(out.bodies == ["1", "2"])
    }

    @Test func serverChosenConsumerTagIsAmqCtag() {
        let (tag, _) = client.consume("q")
        #expect(tag.hasPrefix("amq.ctag-"))
        #expect(tag.count == "amq.ctag-".count + 22)
    }

    @Test func perConsumerPrefetchLimitsUnackedAndAckFreesRoom() {
        client.qos(2)
        client.consume("q", tag: "c")
        let first = publish(["1", "2", "3", "4", "5"])
        #expect(first.bodies == ["1", "2"])
        #expect(broker.readyBodies("q") == ["3", "4", "5"])
        let afterAck = client.ack(1)
        #expect(afterAck.bodies == ["3"])
        let afterMultiple = client.ack(3, multiple: true)  // acks 2 and 3
        #expect(afterMultiple.bodies == ["4", "5"])
    }

    @Test func perConsumerPrefetchAppliesToEachConsumerSeparately() {
        client.qos(1)
        client.consume("q", tag: "a")
        client.consume("q", tag: "b")
        let out = publish(["1", "2", "3", "4"])
        #expect(out.deliveries.map(\.consumerTag) == ["a", "b"])
        #expect(broker.readyBodies("q") == ["3", "4"])
    }

    /// Not RabbitMQ's semantics (there it binds consumers started afterwards only), but what kombu
    /// expects of a broker that is not RabbitMQ: Celery raises the prefetch of its running consumer
    /// while it holds ETA tasks, and would stall otherwise (Docs/compatibility.md).
    @Test func qosAppliesToTheChannelsConsumersAlreadyStartedToo() {
        client.consume("q", tag: "a")
        client.qos(1)
        client.consume("q", tag: "b")
        let out = publish(["1", "2", "3", "4"])
        #expect(out.deliveries.map(\.consumerTag) == ["a", "b"])
        let more = client.qos(2)
        #expect(more.deliveries.map(\.consumerTag) == ["a", "b"])
    }

    @Test func noAckConsumerIgnoresPrefetchAndNeedsNoAck() {
        client.qos(1)
        client.consume("q", tag: "c", noAck: true)
        let out = publish(["1", "2", "3"])
        #expect(out.bodies == ["1", "2", "3"])
        // Nothing is outstanding: acking any tag is an error.
        let ack = client.ack(1)
        #expect(ack.channelError?.text == "PRECONDITION_FAILED - unknown delivery tag 1")
    }

    @Test func noAckDeliveriesAreNotRequeuedOnClose() {
        client.consume("q", tag: "c", noAck: true)
        _ = publish(["1", "2"])
        client.close()
        #expect(broker.readyBodies("q") == [])
    }

    @Test func globalPrefetchLimitsTheWholeChannel() {
        client.declareQueue("q2")
        client.qos(2, global: true)
        client.consume("q", tag: "a")
        client.consume("q", tag: "b")
        let out = publish(["1", "2", "3", "4"])
        #expect(out.bodies == ["1", "2"])
        let afterAck = client.ack(2)
        #expect(afterAck.bodies == ["3"])
    }

    @Test func globalPrefetchRoomFreedByOneQueueServesAnotherQueue() {
        // Two queues consumed on one channel with a channel-wide limit of 1: acking the delivery
        // from the queue that has nothing more to send must let the other queue deliver.
        client.declareQueue("q2")
        client.qos(1, global: true)
        client.consume("q", tag: "a")
        client.consume("q2", tag: "b")
        let first = client.run([Cmd.publish("for-q", key: "q"), Cmd.publish("for-q2", key: "q2")])
        #expect(first.deliveries.count == 1)
        guard let delivered = first.deliveries.first else { return }
        let waiting = delivered.body == "for-q" ? "for-q2" : "for-q"
        let afterAck = client.ack(delivered.deliveryTag)
        #expect(afterAck.bodies == [waiting])
    }

    @Test func globalAndPerConsumerLimitsBothApply() {
        client.qos(3, global: true)
        client.qos(1, global: false)
        client.consume("q", tag: "a")
        client.consume("q", tag: "b")
        client.consume("q", tag: "c")
        client.consume("q", tag: "d")
        let out = publish(["1", "2", "3", "4", "5"])
        #expect(out.deliveries.map(\.consumerTag) == ["a", "b", "c"])
    }

    @Test func raisingGlobalPrefetchDeliversMore() {
        client.qos(1, global: true)
        client.consume("q", tag: "c")
        _ = publish(["1", "2", "3"])
        let out = client.qos(3, global: true)
        #expect(out.methods.first == .basicQosOk)
        #expect(out.bodies == ["2", "3"])
    }

    @Test func prefetchSizeIsNotImplemented() {
        let out = client.call(.basicQos(BasicQos(prefetchSize: 1000, prefetchCount: 10)))
        #expect(out.count == 1)
        #expect(out.connectionError?.code == .notImplemented)
        #expect(out.connectionError?.code.rawValue == 540)
        #expect(out.connectionError?.text == "NOT_IMPLEMENTED - prefetch_size!=0 (1000)")
        #expect(out.connectionError?.classID == 60)
        #expect(out.connectionError?.methodID == 10)
    }
}
