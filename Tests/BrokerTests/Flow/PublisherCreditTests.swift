import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// Publisher credit in the broker: a connection publishing to a queue whose consumers fell behind
/// is told to hold its input, and told to resume once the queue drained, lost its consumers or went.
@Suite struct PublisherCreditTests {
    let broker = Broker()
    let publisher: TestClient
    let consumer: TestClient

    init() throws {
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

    /// A consumer with prefetch 1 that has taken one message and not acked it.
    func startSlowConsumer() {
        consumer.qos(1)
        consumer.consume("q", tag: "slow")
    }

    @Test func aPublisherIsHeldOnceTheQueueIsBehindItsConsumersAndResumesWhenItDrains() {
        startSlowConsumer()
        publish(4)  // one delivered, three ready: not above high
        #expect(publisher.outlet.takeHolds().isEmpty)
        publish(1)  // four ready
        #expect(publisher.outlet.takeHolds() == [true])
        publish(1)  // already held: no second signal
        #expect(publisher.outlet.takeHolds().isEmpty)
        var tag: UInt64 = 1
        while queue.messageCount > 1 {
            consumer.ack(tag)
            tag += 1
            #expect(publisher.outlet.takeHolds() == (queue.messageCount > 1 ? [] : [false]))
        }
        #expect(consumer.outlet.takeHolds().isEmpty)
    }

    @Test func aQueueWithoutConsumersHoldsNobody() {
        publish(100)
        #expect(queue.messageCount == 100)
        #expect(publisher.outlet.takeHolds().isEmpty)
    }

    @Test func theConsumerGoingAwayLetsThePublisherGo() {
        startSlowConsumer()
        publish(10)
        #expect(publisher.outlet.takeHolds() == [true])
        consumer.disconnect()
        #expect(publisher.outlet.takeHolds() == [false])
        publish(100)
        #expect(publisher.outlet.takeHolds().isEmpty)
        #expect(queue.messageCount == 110)
    }

    @Test func deletingOrPurgingTheQueueLetsThePublisherGo() {
        startSlowConsumer()
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
        startSlowConsumer()
        publish(10)
        #expect(publisher.outlet.takeHolds() == [true])
        consumer.run([.writabilityChanged(false)])
        #expect(publisher.outlet.takeHolds() == [false])
        publish(100)
        #expect(publisher.outlet.takeHolds().isEmpty)
        consumer.run([.writabilityChanged(true)])
        publish(1)
        #expect(publisher.outlet.takeHolds() == [true])
    }

    @Test func warrensOwnConsumersHoldNobodyBack() {
        let bridge = TestClient(broker, id: 3)  // unchecked: an in-process connection
        bridge.open()
        bridge.qos(1)
        bridge.consume("q", tag: "bridge")
        publish(100)
        #expect(queue.messageCount == 99)
        #expect(publisher.outlet.takeHolds().isEmpty)
    }

    @Test func aConnectionThatConsumesIsNeverHeld() {
        startSlowConsumer()
        consumer.run((0..<10).map { Cmd.publish("m\($0)", key: "q") })
        #expect(queue.messageCount == 9)
        #expect(consumer.outlet.takeHolds().isEmpty)
    }

    @Test func aHeldPublisherThatDisconnectsIsForgotten() {
        startSlowConsumer()
        publish(10)
        #expect(publisher.outlet.takeHolds() == [true])
        publisher.disconnect()
        #expect(queue.heldPublishers.isEmpty)
        consumer.disconnect()
        #expect(publisher.outlet.takeHolds().isEmpty)
    }

    @Test func inProcessPublishingIsNeverHeld() {
        startSlowConsumer()
        let entries = (0..<50).map { InternalPublish(routingKey: "q", header: Cmd.header("e\($0)"), body: ByteBuffer(string: "e\($0)")) }
        #expect(broker.publishInternal(entries, exchange: "", vhost: "/") == 50)
        #expect(queue.messageCount == 49)
        #expect(queue.heldPublishers.isEmpty)
    }
}
