import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// Stream queues in the broker, over in-memory logs: RabbitMQ's declare and consume rules, offsets
/// in headers, credit from acks, nothing requeued, and the end time of a consumer.
@Suite struct StreamQueueTests {
    let broker = Broker()
    let streams = InMemoryStreams()
    let client: TestClient
    static let stream: FieldTable = ["x-queue-type": .longString("stream")]

    init() {
        broker.streamStorage = streams
        client = TestClient(broker)
        client.open()
    }

    private func publishCommitted(_ bodies: [String]) {
        for body in bodies { client.publish(body, key: "s") }
        streams.commitAll()
    }

    private func consume(offset: FieldValue, prefetch: UInt16 = 10, extra: FieldTable = [:]) -> [Outbound] {
        client.qos(prefetch)
        var arguments = extra
        arguments["x-stream-offset"] = offset
        return client.call(.basicConsume(BasicConsume(queue: "s", consumerTag: "c", arguments: arguments))) + client.take()
    }

    @Test func declaringNeedsADurableSharedQueue() {
        let what = "for queue 's' in vhost '/'"
        let nonDurable = client.call(.queueDeclare(QueueDeclare(queue: "s", arguments: Self.stream)))
        #expect(nonDurable.channelError?.text == AMQPError(.preconditionFailed, "invalid property 'non-durable' \(what)").text)
        client.open()
        let exclusive = client.call(.queueDeclare(QueueDeclare(queue: "s", durable: true, exclusive: true, arguments: Self.stream)))
        #expect(exclusive.channelError?.text == AMQPError(.preconditionFailed, "invalid property 'exclusive-owner' \(what)").text)
        client.open()
        let autoDelete = client.call(.queueDeclare(QueueDeclare(queue: "s", durable: true, autoDelete: true, arguments: Self.stream)))
        #expect(autoDelete.channelError?.text == AMQPError(.preconditionFailed, "invalid property 'auto-delete' \(what)").text)
        #expect(streams.logs.isEmpty)
    }

    @Test func consumersNeedPrefetchAndManualAcks() {
        client.declareQueue("s", durable: true, arguments: Self.stream)
        let noQos = client.call(.basicConsume(BasicConsume(queue: "s")))
        #expect(noQos.channelError?.text == AMQPError(.preconditionFailed, "consumer prefetch count is not set for 'queue 's' in vhost '/''").text)
        client.open()
        client.qos(5)
        let autoAck = client.call(.basicConsume(BasicConsume(queue: "s", noAck: true)))
        #expect(autoAck.connectionError?.code == .notImplemented)
    }

    @Test func getAndPurgeAreNotImplemented() {
        client.declareQueue("s", durable: true, arguments: Self.stream)
        #expect(client.call(.basicGet(BasicGet(queue: "s"))).connectionError?.text ==
                AMQPError(.notImplemented, "basic.get not supported by stream queues queue 's' in vhost '/'").text)
        let other = TestClient(broker, id: 2)
        other.open()
        #expect(other.call(.queuePurge(QueuePurge(queue: "s"))).connectionError?.text ==
                AMQPError(.notImplemented, "queue.purge not supported by stream queues queue 's' in vhost '/'").text)
    }

    @Test func entriesCarryTheirOffsetAndAcksOnlyGiveCredit() throws {
        client.declareQueue("s", durable: true, arguments: Self.stream)
        publishCommitted(["a", "b", "c", "d"])
        let first = consume(offset: .longString("first"), prefetch: 2).deliveries
        #expect(first.map(\.body) == ["a", "b"])
        #expect(first.map { $0.properties.headers?["x-stream-offset"] } == [.int64(0), .int64(1)])
        // A nack with requeue puts nothing back; it frees room, and the next entry comes.
        let afterNack = client.call(.basicNack(BasicNack(deliveryTag: first.tag(0), multiple: false, requeue: true))).deliveries
        #expect(afterNack.map(\.body) == ["c"])
        #expect(client.ack(first.tag(1)).bodies == ["d"])
        #expect(broker.readyBodies("s") == [], "a stream never holds ready messages")
        publishCommitted(["e"])
        #expect(client.take().bodies.isEmpty, "prefetch 2 is spent until an ack")
        let tags = client.ack(0, multiple: true).deliveries
        #expect(tags.map(\.body) == ["e"])
    }

    @Test func entriesAreReadableOnlyOnceOnDisk() {
        client.declareQueue("s", durable: true, arguments: Self.stream)
        _ = consume(offset: .longString("next"))
        #expect(client.publish("x", key: "s").bodies.isEmpty, "not delivered before the fsync")
        streams.commitAll()
        #expect(client.take().bodies == ["x"])
    }

    @Test func aConsumerWithAnEndTimeIsCancelledThere() {
        client.declareQueue("s", durable: true, arguments: Self.stream)
        broker.clock = { 5_000 }
        publishCommitted(["early"])
        broker.clock = { 9_000 }
        publishCommitted(["late"])
        let out = consume(offset: .longString("first"), extra: ["x-warren-until": .timestamp(6)])
        #expect(out.bodies == ["early"])
        #expect(out.methods.contains(.basicCancel(BasicCancel(consumerTag: "c", noWait: true))))
    }
}
