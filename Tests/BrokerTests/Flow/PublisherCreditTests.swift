import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// Publisher credit in the broker: a connection publishing to a queue behind consumers that drain
/// it fast is told to hold its input, and told to resume once the queue drained, its consumers
/// stopped draining (seen by the timer when nothing else happens), left, or the queue went.
@Suite struct PublisherCreditTests {
    let broker = Broker()
    let time = ManualTime()
    let publisher: TestClient
    let consumer: TestClient
    /// The consumer's next delivery tag to ack.
    private let nextTag = Counter()

    init() throws {
        let time = self.time
        broker.clock = { time.now }
        broker.timers = time
        broker.putUser(UserAccount(name: "guest", passwordHash: ""))
        try broker.setPermissions(user: "guest", vhost: "/", configure: ".*", write: ".*", read: ".*")
        publisher = TestClient(broker, id: 1, checked: true)
        consumer = TestClient(broker, id: 2, checked: true)
        publisher.open()
        consumer.open()
        publisher.declareQueue("q")
        queue.pressure = BacklogPressure(high: 3, low: 1)
    }

    var queue: Queue { broker.vhost("/")!.queues["q"]! }

    func publish(_ count: Int) {
        publisher.run((0..<count).map { Cmd.publish("m\($0)", key: "q") })
    }

    /// The consumer (prefetch 1) acks its oldest delivery, taking the next one, 5 ms later.
    func ackOne() {
        time.now += 5
        consumer.ack(nextTag.next())
    }

    /// A consumer with prefetch 1 that has taken five messages 5 ms apart: 200 a second, fast
    /// enough to take `high` (3) messages well within the drain bound.
    func startFastConsumer() {
        consumer.qos(1)
        consumer.consume("q", tag: "fast")
        publish(5)
        for _ in 0..<4 { ackOne() }
        #expect(queue.messageCount == 0)
    }

    @Test func aPublisherIsHeldWhileFastConsumersDrainAndResumesWhenTheQueueDrains() {
        startFastConsumer()
        publish(3)  // three ready: not above high
        #expect(publisher.outlet.takeHolds().isEmpty)
        publish(1)  // four ready
        #expect(publisher.outlet.takeHolds() == [true])
        publish(1)  // already held: no second signal
        #expect(publisher.outlet.takeHolds().isEmpty)
        while queue.messageCount > 1 {
            ackOne()
            #expect(publisher.outlet.takeHolds() == (queue.messageCount > 1 ? [] : [false]))
        }
        #expect(consumer.outlet.takeHolds().isEmpty)
    }

    /// The reverted first attempt held this publisher until the consumer left.
    @Test func aConsumerThatNeverAcksHoldsNobody() {
        queue.pressure = BacklogPressure()
        consumer.qos(10)
        consumer.consume("q", tag: "stalled")
        for _ in 0..<40 {
            publish(50)
            time.now += 10
            broker.runTimers()
        }
        #expect(publisher.outlet.takeHolds().isEmpty)
        #expect(queue.messageCount == 1_990)
    }

    @Test func aSlowConsumerHoldsNobody() {
        consumer.qos(1)
        consumer.consume("q", tag: "slow")
        for _ in 0..<20 {
            publish(10)
            time.now += 100  // one message a tenth of a second: three take 300 ms, above the bound
            consumer.ack(nextTag.next())
        }
        #expect(publisher.outlet.takeHolds().isEmpty)
        #expect(queue.messageCount == 179)
    }

    @Test func aQueueWithoutConsumersHoldsNobody() {
        publish(100)
        time.now += 10
        publish(100)
        #expect(queue.messageCount == 200)
        #expect(publisher.outlet.takeHolds().isEmpty)
    }

    @Test func theTimerKeepsAHoldWhileConsumersTakeAndEndsItSoonAfterTheyStop() {
        startFastConsumer()
        publish(10)
        #expect(publisher.outlet.takeHolds() == [true])
        let recheck = time.now + BacklogPressure.recheckInterval
        #expect(time.requested.last == recheck)
        for _ in 0..<4 { ackOne() }
        let lastTaken = time.now
        time.now = recheck
        broker.runTimers()  // consumers took messages within the last 5 ms: still held
        #expect(publisher.outlet.takeHolds().isEmpty)
        #expect(time.requested.last == recheck + BacklogPressure.recheckInterval)
        var released = false
        for _ in 0..<10 where !released {  // nothing taken any more, every connection quiet
            time.now += BacklogPressure.recheckInterval
            broker.runTimers()
            released = publisher.outlet.takeHolds() == [false]
        }
        #expect(released)
        #expect(time.now - lastTaken <= BacklogPressure.freshness + BacklogPressure.recheckInterval)
        #expect(queue.pressure.recheckAt == nil)
        #expect(queue.messageCount == 6)
    }

    @Test func theConsumerGoingAwayLetsThePublisherGo() {
        startFastConsumer()
        publish(10)
        #expect(publisher.outlet.takeHolds() == [true])
        consumer.disconnect()
        #expect(publisher.outlet.takeHolds() == [false])
        publish(100)
        #expect(publisher.outlet.takeHolds().isEmpty)
        #expect(queue.messageCount == 111)
    }

    @Test func deletingOrPurgingTheQueueLetsThePublisherGo() {
        startFastConsumer()
        publish(10)
        #expect(publisher.outlet.takeHolds() == [true])
        publisher.call(.queuePurge(QueuePurge(queue: "q")))
        #expect(publisher.outlet.takeHolds() == [false])
        publish(10)
        #expect(publisher.outlet.takeHolds() == [true])
        publisher.call(.queueDelete(QueueDelete(queue: "q")))
        #expect(publisher.outlet.takeHolds() == [false])
    }

    @Test func aConsumerThatStopsReadingHoldsNobodyBack() {
        startFastConsumer()
        publish(10)
        #expect(publisher.outlet.takeHolds() == [true])
        consumer.run([.writabilityChanged(false)])
        #expect(publisher.outlet.takeHolds() == [false])
        publish(100)
        #expect(publisher.outlet.takeHolds().isEmpty)
        consumer.run([.writabilityChanged(true)])
        ackOne()
        publish(1)
        #expect(publisher.outlet.takeHolds() == [true])
    }

    @Test func warrensOwnConsumersHoldNobodyBack() {
        let bridge = TestClient(broker, id: 3)  // unchecked: an in-process connection
        bridge.open()
        bridge.qos(1)
        bridge.consume("q", tag: "bridge")
        publish(2)
        time.now += 20
        bridge.ack(1)
        publish(100)
        #expect(queue.messageCount == 100)
        #expect(publisher.outlet.takeHolds().isEmpty)
    }

    @Test func warrensOwnPublishersAreNeverHeld() {
        startFastConsumer()
        let collector = TestClient(broker, id: 3)  // unchecked: an in-process connection
        collector.open()
        collector.run((0..<10).map { Cmd.publish("e\($0)", key: "q") })
        #expect(queue.pressure.isBehind)
        #expect(collector.outlet.takeHolds().isEmpty)
        #expect(queue.heldPublishers.isEmpty)
    }

    @Test func aConnectionThatConsumesIsNeverHeld() {
        startFastConsumer()
        consumer.run((0..<10).map { Cmd.publish("m\($0)", key: "q") })
        #expect(queue.messageCount == 10)
        #expect(consumer.outlet.takeHolds().isEmpty)
    }

    @Test func aHeldPublisherThatDisconnectsIsForgotten() {
        startFastConsumer()
        publish(10)
        #expect(publisher.outlet.takeHolds() == [true])
        publisher.disconnect()
        #expect(queue.heldPublishers.isEmpty)
        consumer.disconnect()
        #expect(publisher.outlet.takeHolds().isEmpty)
    }

    @Test func inProcessPublishingIsNeverHeld() {
        startFastConsumer()
        let entries = (0..<50).map { InternalPublish(routingKey: "q", header: Cmd.header("e\($0)"), body: ByteBuffer(string: "e\($0)")) }
        #expect(broker.publishInternal(entries, exchange: "", vhost: "/") == 50)
        #expect(queue.messageCount == 50)
        #expect(queue.heldPublishers.isEmpty)
    }
}

/// Hands out 1, 2, 3, ...
private final class Counter {
    private var last: UInt64 = 0

    func next() -> UInt64 {
        last += 1
        return last
    }
}
