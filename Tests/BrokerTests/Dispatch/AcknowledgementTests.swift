import AMQPWire
import Testing

@testable import Broker

/// basic.ack / nack / reject: tags, multiple, errors, and requeueing to the original position.
@Suite struct AcknowledgementTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
        client.declareQueue("q")
    }

    /// Publishes the bodies and fetches `count` of them with basic.get (acks required).
    func fetch(_ count: Int, of bodies: [String]) -> [Received] {
        client.run(bodies.map { Cmd.publish($0, key: "q") })
        return (0..<count).flatMap { _ in client.get("q").gets.map(\.message) }
    }

    @Test func ackRemovesTheMessageForGood() {
        let got = fetch(1, of: ["1"])
        #expect(client.ack(got.tag(0)).isEmpty)
        client.close()
        #expect(broker.readyBodies("q") == [])
    }

    @Test func ackMultipleSettlesEveryEarlierTag() {
        _ = fetch(4, of: ["1", "2", "3", "4"])
        #expect(client.ack(3, multiple: true).isEmpty)
        client.close()  // only tag 4 was outstanding
        #expect(broker.readyBodies("q") == ["4"])
    }

    @Test func acksInAnyOrderSettleExactlyThoseTagsAndKeepTheRestInOrder() {
        _ = fetch(6, of: ["1", "2", "3", "4", "5", "6"])
        for tag: UInt64 in [5, 2, 3] { #expect(client.ack(tag).isEmpty) }
        #expect(client.ack(3).channelError?.text == "PRECONDITION_FAILED - unknown delivery tag 3")
        client.close()
        #expect(broker.readyBodies("q") == ["1", "4", "6"])
    }

    @Test func acksAfterGapsWithMultipleSettleOnlyWhatIsLeft() {
        _ = fetch(5, of: ["1", "2", "3", "4", "5"])
        #expect(client.ack(2).isEmpty)
        #expect(client.ack(4, multiple: true).isEmpty)
        client.close()
        #expect(broker.readyBodies("q") == ["5"])
    }

    /// The first and last deliveries held, the rest acked back to front: the gaps stay bounded.
    @Test func acksBetweenHeldDeliveriesLeaveFewGaps() throws {
        let bodies = (1...400).map(String.init)
        _ = fetch(400, of: bodies)
        let unacked = { try #require(self.broker.sessions[self.client.id]?.channels[1]).unacked }
        for tag in (2...399).reversed() {
            #expect(client.ack(UInt64(tag)).isEmpty)
            let held = try unacked()
            #expect(held.slotCount <= 2 * held.count + 64)
        }
        #expect(try unacked().map(\.tag) == [1, 400])
        client.close()
        #expect(broker.readyBodies("q") == ["1", "400"])
    }

    @Test func ackMultipleZeroSettlesEverything() {
        _ = fetch(3, of: ["1", "2", "3"])
        #expect(client.ack(0, multiple: true).isEmpty)
        client.close()
        #expect(broker.readyBodies("q") == [])
    }

    @Test func ackOfAnUnknownTagClosesTheChannelWith406() {
        _ = fetch(1, of: ["1"])
        let out = client.ack(5)
        #expect(out.count == 1)
        #expect(out.channelErrors.first?.channel == 1)
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - unknown delivery tag 5")
        #expect(out.channelError?.classID == 60)
        #expect(out.channelError?.methodID == 80)
        // The channel's outstanding delivery went back to the queue.
        #expect(broker.readyBodies("q") == ["1"])
    }

    @Test func doubleAckIs406() {
        let got = fetch(1, of: ["1"])
        #expect(client.ack(got.tag(0)).isEmpty)
        let out = client.ack(got.tag(0))
        #expect(out.channelError?.text == "PRECONDITION_FAILED - unknown delivery tag 1")
    }

    @Test func ackMultipleOfAnAlreadyAckedTagIs406() {
        _ = fetch(3, of: ["1", "2", "3"])
        client.ack(2)
        let out = client.ack(2, multiple: true)
        #expect(out.channelError?.code == .preconditionFailed)
    }

    @Test func rejectWithRequeueRestoresTheOriginalPositionMarkedRedelivered() {
        _ = fetch(2, of: ["1", "2", "3", "4"])
        // Reject the second first, then the first: order of requeue must not matter.
        client.call(.basicReject(BasicReject(deliveryTag: 2, requeue: true)))
        client.call(.basicReject(BasicReject(deliveryTag: 1, requeue: true)))
        #expect(broker.readyBodies("q") == ["1", "2", "3", "4"])
        let again = (0..<4).flatMap { _ in client.get("q").gets.map(\.message) }
        #expect(again.map(\.body) == ["1", "2", "3", "4"])
        #expect(again.map(\.redelivered) == [true, true, false, false])
    }

    @Test func nackMultipleWithRequeueRestoresOrderBetweenReadyMessages() {
        client.run(["1", "2", "3", "4", "5"].map { Cmd.publish($0, key: "q") })
        let (_, consumed) = client.consume("q", tag: "c")
        #expect(consumed.bodies == ["1", "2", "3", "4", "5"])
        client.call(.basicCancel(BasicCancel(consumerTag: "c")))
        client.ack(2)
        client.ack(4)
        client.call(.basicNack(BasicNack(deliveryTag: 5, multiple: true, requeue: true)))
        #expect(broker.readyBodies("q") == ["1", "3", "5"])
    }

    @Test func requeuedMessageGoesInFrontOfLaterPublishes() {
        let got = fetch(1, of: ["1", "2"])
        client.publish("3", key: "q")
        client.call(.basicNack(BasicNack(deliveryTag: got.tag(0), requeue: true)))
        #expect(broker.readyBodies("q") == ["1", "2", "3"])
    }

    @Test func rejectWithoutRequeueDropsTheMessage() {
        _ = fetch(2, of: ["1", "2", "3"])
        client.call(.basicReject(BasicReject(deliveryTag: 1, requeue: false)))
        client.call(.basicNack(BasicNack(deliveryTag: 2, requeue: false)))
        client.close()
        #expect(broker.readyBodies("q") == ["3"])
    }

    @Test func rejectOfAnUnknownTagIs406() {
        let out = client.call(.basicReject(BasicReject(deliveryTag: 9, requeue: true)))
        #expect(out.channelError?.text == "PRECONDITION_FAILED - unknown delivery tag 9")
    }

    @Test func requeuedMessageIsRedeliveredToTheNextConsumerMarkedRedelivered() {
        client.qos(1)
        client.consume("q", tag: "a")
        client.consume("q", tag: "b")
        let first = client.run([Cmd.publish("1", key: "q"), Cmd.publish("2", key: "q"), Cmd.publish("3", key: "q")])
        #expect(first.deliveries.map(\.body) == ["1", "2"])
        let out = client.call(.basicNack(BasicNack(deliveryTag: 1, requeue: true)))
        // "1" goes back in front of "3" and is delivered again before it.
        #expect(out.deliveries.map(\.body) == ["1"])
        #expect(out.deliveries.first?.redelivered == true)
        #expect(out.deliveries.first?.deliveryTag == 3)
    }

    @Test func getOkCountsWhatRemainsAndGetEmptyWhenNothingDoes() {
        client.run(["1", "2"].map { Cmd.publish($0, key: "q") })
        let first = client.get("q")
        #expect(first.gets.map(\.messageCount) == [1])
        #expect(first.gets.first?.message.deliveryTag == 1)
        #expect(first.gets.first?.message.redelivered == false)
        let second = client.get("q", noAck: true)
        #expect(second.gets.map(\.messageCount) == [0])
        #expect(second.gets.first?.message.body == "2")
        expectMethods(client.get("q"), [.basicGetEmpty])
        // Only the first get needs an ack.
        #expect(client.ack(1).isEmpty)
        #expect(client.ack(2).channelError?.code == .preconditionFailed)
    }

    @Test func getOfAMissingQueueIs404() {
        let out = client.get("nope")
        #expect(out.channelError?.text == "NOT_FOUND - no queue 'nope' in vhost '/'")
    }
}
