import AMQPWire
import Testing

@testable import Broker

/// Unacknowledged deliveries go back in order when a channel closes, a connection drops,
/// or the client asks with basic.recover.
@Suite struct RecoveryAndCloseTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
        client.declareQueue("q")
    }

    func consumeAll(_ bodies: [String], tag: String = "c", on channel: UInt16 = 1) -> [Received] {
        client.run(bodies.map { Cmd.publish($0, key: "q") })
        return client.consume("q", tag: tag, on: channel).output.deliveries
    }

    @Test func channelCloseRequeuesUnackedInOrder() {
        let got = consumeAll(["1", "2", "3", "4"])
        #expect(got.count == 4)
        client.ack(2)
        client.publish("5", key: "q")  // the consumer is still there: it gets this one too
        client.close()
        #expect(broker.readyBodies("q") == ["1", "3", "4", "5"])
        #expect(broker.vhost("/")?.queues["q"]?.consumerCount == 0)
    }

    @Test func requeuedMessagesAreMarkedRedelivered() {
        _ = consumeAll(["1", "2"])
        client.close()
        client.open()
        let again = client.consume("q", tag: "c").output.deliveries
        #expect(again.map(\.body) == ["1", "2"])
        #expect(again.map(\.redelivered) == [true, true])
        #expect(again.map(\.deliveryTag) == [1, 2])  // a new channel counts tags from 1
    }

    @Test func disconnectRequeuesEveryChannelsUnacked() {
        client.open(2)
        client.qos(1, on: 1)
        client.qos(1, on: 2)
        client.consume("q", tag: "a", on: 1)
        client.consume("q", tag: "b", on: 2)
        client.run(["1", "2", "3"].map { Cmd.publish($0, key: "q") })
        #expect(broker.readyBodies("q") == ["3"])
        client.disconnect()
        #expect(broker.readyBodies("q") == ["1", "2", "3"])
    }

    @Test func closedChannelRedeliversToTheRemainingConsumer() {
        let other = TestClient(broker, id: 2)
        other.open()
        client.qos(1)
        client.consume("q", tag: "mine")
        other.qos(1)
        other.consume("q", tag: "theirs")
        client.run(["1", "2", "3"].map { Cmd.publish($0, key: "q") })
        let theirs = other.take().deliveries
        #expect(theirs.map(\.body) == ["2"])
        client.close()  // "1" is requeued, ahead of "3"
        let afterAck = other.ack(theirs.tag(0))
        #expect(afterAck.deliveries.map(\.body) == ["1"])
        #expect(afterAck.deliveries.first?.redelivered == true)
    }

    @Test func recoverRedeliversEverythingUnacked() {
        let got = consumeAll(["1", "2", "3"])
        client.ack(got.tag(1))
        let out = client.call(.basicRecover(BasicRecover(requeue: true)))
        #expect(out.methods == [.basicRecoverOk])
        #expect(out.deliveries.map(\.body) == ["1", "3"])
        #expect(out.deliveries.map(\.redelivered) == [true, true])
        #expect(out.deliveries.map(\.deliveryTag) == [4, 5])
        // The old tags are gone.
        #expect(client.ack(1).channelError?.text == "PRECONDITION_FAILED - unknown delivery tag 1")
    }

    @Test func recoverAsyncRequeuesWithoutReply() {
        client.run(["1", "2"].map { Cmd.publish($0, key: "q") })
        _ = client.get("q")
        _ = client.get("q")
        let out = client.call(.basicRecoverAsync(BasicRecoverAsync(requeue: true)))
        #expect(out.isEmpty)
        #expect(broker.readyBodies("q") == ["1", "2"])
    }

    @Test(arguments: [AMQPMethod.basicRecover(BasicRecover(requeue: false)), .basicRecoverAsync(BasicRecoverAsync(requeue: false))])
    func recoverWithoutRequeueIsNotImplemented(_ method: AMQPMethod) {
        // rabbit_channel: basic.recover_async{requeue = false} -> protocol_error(not_implemented, "requeue=false").
        _ = consumeAll(["1"])
        let out = client.call(method)
        #expect(out.count == 1)
        #expect(out.connectionError?.code == .notImplemented)
        #expect(out.connectionError?.text == "NOT_IMPLEMENTED - requeue=false")
    }

    @Test func cancelKeepsUnackedDeliveriesAckable() {
        let got = consumeAll(["1", "2"])
        let cancel = client.call(.basicCancel(BasicCancel(consumerTag: "c")))
        expectMethods(cancel, [.basicCancelOk(BasicCancelOk(consumerTag: "c"))])
        client.publish("3", key: "q")
        #expect(client.ack(got.tag(0)).isEmpty)
        client.close()
        #expect(broker.readyBodies("q") == ["2", "3"])
    }

    @Test func cancelOfAnUnknownTagIsStillOk() {
        let out = client.call(.basicCancel(BasicCancel(consumerTag: "nobody")))
        expectMethods(out, [.basicCancelOk(BasicCancelOk(consumerTag: "nobody"))])
    }

    @Test func reusingAConsumerTagOnTheChannelClosesTheConnectionWith530() {
        client.declareQueue("q2")
        client.consume("q", tag: "dup")
        let out = client.call(.basicConsume(BasicConsume(queue: "q2", consumerTag: "dup")))
        #expect(out.count == 1)
        #expect(out.connectionError?.code == .notAllowed)
        #expect(out.connectionError?.code.rawValue == 530)
        #expect(out.connectionError?.text == "NOT_ALLOWED - attempt to reuse consumer tag 'dup'")
        #expect(broker.vhost("/")?.queues["q2"]?.consumerCount == 0)
    }

    @Test func theSameTagOnAnotherChannelIsFine() {
        client.open(2)
        client.consume("q", tag: "same", on: 1)
        client.consume("q", tag: "same", on: 2)
        #expect(broker.vhost("/")?.queues["q"]?.consumerCount == 2)
    }

    @Test func exclusiveConsumerShutsOutOthers() {
        let other = TestClient(broker, id: 2)
        other.open()
        client.consume("q", tag: "only", exclusive: true)
        let out = other.call(.basicConsume(BasicConsume(queue: "q", consumerTag: "c")))
        #expect(out.channelError?.code == .accessRefused)
        #expect(out.channelError?.text == "ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use")
    }

    @Test func exclusiveConsumeOnAQueueWithConsumersIs403() {
        client.consume("q", tag: "first")
        client.open(2)
        let out = client.call(.basicConsume(BasicConsume(queue: "q", consumerTag: "second", exclusive: true)), on: 2)
        #expect(out.channelError?.text == "ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use")
    }

    @Test func exclusiveConsumerGoneLetsOthersIn() {
        client.consume("q", tag: "only", exclusive: true)
        client.call(.basicCancel(BasicCancel(consumerTag: "only")))
        client.consume("q", tag: "next")
    }
}
