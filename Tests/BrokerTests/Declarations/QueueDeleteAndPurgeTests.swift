import AMQPWire
import Testing

@testable import Broker

/// queue.delete (if-unused, if-empty, counts), queue.purge, and consumers of a deleted queue.
@Suite struct QueueDeleteAndPurgeTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
    }

    @Test func deleteOkCountsReadyMessages() {
        client.declareQueue("q")
        for body in ["1", "2", "3"] { client.publish(body, key: "q") }
        _ = client.get("q")  // unacked: not counted
        let out = client.call(.queueDelete(QueueDelete(queue: "q")))
        expectMethods(out, [.queueDeleteOk(QueueDeleteOk(messageCount: 2))])
        #expect(!broker.hasQueue("q"))
    }

    @Test func deletingAMissingQueueIsOk() {
        let out = client.call(.queueDelete(QueueDelete(queue: "nope")))
        expectMethods(out, [.queueDeleteOk(QueueDeleteOk(messageCount: 0))])
    }

    @Test func ifUnusedRefusesAQueueWithConsumers() {
        client.declareQueue("q")
        client.consume("q", tag: "c")
        let out = client.call(.queueDelete(QueueDelete(queue: "q", ifUnused: true)))
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - queue 'q' in vhost '/' in use")
        #expect(broker.hasQueue("q"))
    }

    @Test func ifUnusedDeletesAQueueWithoutConsumers() {
        client.declareQueue("q")
        client.publish("m", key: "q")
        let out = client.call(.queueDelete(QueueDelete(queue: "q", ifUnused: true)))
        expectMethods(out, [.queueDeleteOk(QueueDeleteOk(messageCount: 1))])
    }

    @Test func ifEmptyRefusesAQueueWithMessages() {
        client.declareQueue("q")
        client.publish("m", key: "q")
        let out = client.call(.queueDelete(QueueDelete(queue: "q", ifEmpty: true)))
        #expect(out.channelError?.code == .preconditionFailed)
        // rabbit_channel: precondition_failed("~ts not empty", [rs(QueueName)])
        #expect(out.channelError?.text == "PRECONDITION_FAILED - queue 'q' in vhost '/' not empty")
        #expect(broker.readyBodies("q") == ["m"])
    }

    @Test func ifEmptyDeletesAnEmptyQueue() {
        client.declareQueue("q")
        let out = client.call(.queueDelete(QueueDelete(queue: "q", ifEmpty: true)))
        expectMethods(out, [.queueDeleteOk(QueueDeleteOk(messageCount: 0))])
    }

    @Test func consumersOfADeletedQueueGetBasicCancel() {
        let other = TestClient(broker, id: 2)
        other.open(7)
        client.declareQueue("q")
        other.consume("q", tag: "theirs", on: 7)
        client.consume("q", tag: "mine")
        let out = client.call(.queueDelete(QueueDelete(queue: "q")))
        #expect(out.channelMethods.map(\.method) == [  // RabbitMQ's order: the reply, then the cancel
            .queueDeleteOk(QueueDeleteOk(messageCount: 0)),
            .basicCancel(BasicCancel(consumerTag: "mine", noWait: true)),
        ])
        let theirs = other.take()
        #expect(theirs.channelMethods.map(\.channel) == [7])
        #expect(theirs.methods == [.basicCancel(BasicCancel(consumerTag: "theirs", noWait: true))])
        // The tag is free again on that channel.
        other.declareQueue("q2", on: 7)
        other.consume("q2", tag: "theirs", on: 7)
    }

    @Test func ackingAMessageOfADeletedQueueIsStillValid() {
        client.declareQueue("q")
        client.publish("m", key: "q")
        let (_, out) = client.consume("q", tag: "c")
        let tag = out.deliveries.first?.deliveryTag ?? 0
        client.call(.queueDelete(QueueDelete(queue: "q")))
        let ack = client.ack(tag)
        #expect(ack.isEmpty)
    }

    @Test func purgeDropsReadyMessagesAndCountsThem() {
        client.declareQueue("q")
        for body in ["1", "2", "3"] { client.publish(body, key: "q") }
        _ = client.get("q")
        let out = client.call(.queuePurge(QueuePurge(queue: "q")))
        expectMethods(out, [.queuePurgeOk(QueuePurgeOk(messageCount: 2))])
        #expect(broker.readyBodies("q") == [])
    }
}
