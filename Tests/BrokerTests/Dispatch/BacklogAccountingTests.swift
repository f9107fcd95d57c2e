import AMQPWire
import Testing

@testable import Broker

/// Queue byte accounting (ready + unacked), which feeds the memory alarm: it must follow every
/// path a message takes and come back to zero.
@Suite struct BacklogAccountingTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
        client.declareQueue("q")
    }

    /// The footprint of one test message with default properties.
    var one: Int {
        Message(exchange: "", routingKey: "q", header: Cmd.header("m"), body: .init(string: "m")).footprint
    }

    @Test func publishedMessagesCountAsReady() {
        client.run(["m", "m", "m"].map { Cmd.publish($0, key: "q") })
        #expect(broker.vhost("/")?.queues["q"]?.readyBytes == 3 * one)
        #expect(broker.backlogBytes == 3 * one)
    }

    @Test func deliveredMessagesMoveToUnackedAndAckReleasesThem() {
        client.run(["m", "m"].map { Cmd.publish($0, key: "q") })
        let got = client.consume("q", tag: "c").output.deliveries
        let queue = broker.vhost("/")?.queues["q"]
        #expect(queue?.readyBytes == 0)
        #expect(queue?.unackedBytes == 2 * one)
        #expect(broker.backlogBytes == 2 * one)
        client.ack(got.tag(1), multiple: true)
        #expect(broker.backlogBytes == 0)
    }

    @Test func requeueMovesBytesBackToReady() {
        client.run(["m", "m"].map { Cmd.publish($0, key: "q") })
        _ = client.get("q")
        client.close()
        let queue = broker.vhost("/")?.queues["q"]
        #expect(queue?.readyBytes == 2 * one)
        #expect(queue?.unackedBytes == 0)
    }

    @Test func noAckDeliveriesRejectionsPurgesAndDeletesLeaveNothing() {
        client.declareQueue("other")
        client.run(["m", "m", "m", "m"].map { Cmd.publish($0, key: "q") } + [Cmd.publish("m", key: "other")])
        _ = client.get("q", noAck: true)
        let tag = client.get("q").gets.first?.message.deliveryTag ?? 0
        client.call(.basicReject(BasicReject(deliveryTag: tag, requeue: false)))
        client.call(.queuePurge(QueuePurge(queue: "q")))
        #expect(broker.vhost("/")?.queues["q"]?.readyBytes == 0)
        #expect(broker.backlogBytes == one)
        client.call(.queueDelete(QueueDelete(queue: "other")))
        #expect(broker.backlogBytes == 0)
    }
}
