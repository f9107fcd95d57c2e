import AMQPWire
import Testing

@testable import Broker

/// confirm.select: every publish is acked once routed; acks of one burst coalesce.
@Suite struct PublisherConfirmTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
        client.declareQueue("q")
        expectMethods(client.call(.confirmSelect(ConfirmSelect())), [.confirmSelectOk])
    }

    @Test func singlePublishIsAckedWithTagOne() {
        let out = client.publish("m", key: "q")
        expectMethods(out, [.basicAck(BasicAck(deliveryTag: 1, multiple: false))])
        #expect(broker.readyBodies("q") == ["m"])
    }

    @Test func publishesInOneBurstAreAckedWithOneMultipleAck() {
        let out = client.run(["1", "2", "3"].map { Cmd.publish($0, key: "q") })
        expectMethods(out, [.basicAck(BasicAck(deliveryTag: 3, multiple: true))])
        let next = client.run(["4", "5"].map { Cmd.publish($0, key: "q") })
        expectMethods(next, [.basicAck(BasicAck(deliveryTag: 5, multiple: true))])
        let single = client.publish("6", key: "q")
        expectMethods(single, [.basicAck(BasicAck(deliveryTag: 6, multiple: false))])
    }

    @Test func unroutablePublishesAreAckedToo() {
        let out = client.run([Cmd.publish("lost", exchange: "amq.direct", key: "nobody"), Cmd.publish("m", key: "q")])
        expectMethods(out, [.basicAck(BasicAck(deliveryTag: 2, multiple: true))])
    }

    @Test func mandatoryUnroutableIsReturnedBeforeItsAck() {
        let out = client.publish("lost", exchange: "amq.direct", key: "nobody", mandatory: true)
        #expect(out.count == 2)
        guard out.count == 2 else { return }
        guard case .content(1, .basicReturn(let returned), _, let body) = out[0] else {
            Issue.record("expected basic.return first, got \(out)")
            return
        }
        #expect(returned == BasicReturn(replyCode: 312, replyText: "NO_ROUTE", exchange: "amq.direct", routingKey: "nobody"))
        #expect(String(buffer: body) == "lost")
        guard case .method(1, .basicAck(let ack)) = out[1] else {
            Issue.record("expected basic.ack second, got \(out)")
            return
        }
        #expect(ack == BasicAck(deliveryTag: 1, multiple: false))
    }

    @Test func returnsOfABurstComeBeforeItsCoalescedAck() {
        let out = client.run([
            Cmd.publish("a", key: "q"),
            Cmd.publish("lost", exchange: "amq.direct", key: "nobody", mandatory: true),
            Cmd.publish("b", key: "q"),
        ])
        #expect(out.returns.map(\.body) == ["lost"])
        #expect(out.confirmAcks == [BasicAck(deliveryTag: 3, multiple: true)])
        guard let returnIndex = out.firstIndex(where: { if case .content(_, .basicReturn, _, _) = $0 { true } else { false } }),
              let ackIndex = out.firstIndex(where: { if case .method(_, .basicAck) = $0 { true } else { false } })
        else { return }
        #expect(returnIndex < ackIndex)
    }

    @Test func confirmsArePerChannel() {
        client.open(2)
        client.call(.confirmSelect(ConfirmSelect()), on: 2)
        let out = client.run([
            Cmd.publish("1", key: "q", on: 1),
            Cmd.publish("2", key: "q", on: 2),
            Cmd.publish("3", key: "q", on: 1),
        ])
        let acks = out.channelMethods.compactMap { item -> (UInt16, BasicAck)? in
            if case .basicAck(let ack) = item.method { (item.channel, ack) } else { nil }
        }
        #expect(acks.count == 2)
        #expect(acks.contains { $0.0 == 1 && $0.1 == BasicAck(deliveryTag: 2, multiple: true) })
        #expect(acks.contains { $0.0 == 2 && $0.1 == BasicAck(deliveryTag: 1, multiple: false) })
    }

    @Test func aChannelWithoutConfirmsGetsNoAcks() {
        client.open(2)
        let out = client.publish("m", key: "q", on: 2)
        #expect(out.isEmpty)
    }

    @Test func confirmSelectNoWaitHasNoReply() {
        client.open(2)
        #expect(client.call(.confirmSelect(ConfirmSelect(noWait: true)), on: 2).isEmpty)
        expectMethods(client.publish("m", key: "q", on: 2), [.basicAck(BasicAck(deliveryTag: 1, multiple: false))])
    }

    @Test func deliveriesToOwnConsumerAndAckShareTheBurst() {
        client.consume("q", tag: "c", noAck: true)
        let out = client.publish("m", key: "q")
        #expect(out.bodies == ["m"])
        #expect(out.confirmAcks == [BasicAck(deliveryTag: 1, multiple: false)])
    }

    @Test func eachBurstIsOneBatchOnTheOutlet() {
        _ = client.outlet.takeBatches()
        client.broker.handle(["1", "2", "3"].map { Cmd.publish($0, key: "q") }, from: client.id)
        #expect(client.outlet.takeBatches().count == 1)
    }
}
