import AMQPWire
import Broker
import NIOCore
import Testing

@testable import AMQPServer

/// The connection lifecycle as a value type: every transition checked without sockets.
@Suite struct ConnectionStateMachineTests {
    static let plainGuest = ConnectionStartOk(mechanism: "PLAIN", response: Array("\0guest\0guest".utf8), locale: "en_US")

    var machine = ConnectionStateMachine(access: AccessDirectory(.guestOnly()), peerIsLoopback: true)
    var actions: [ConnectionAction] = []

    mutating func feed(_ method: AMQPMethod, channel: UInt16 = 0) -> [ConnectionAction] {
        actions.removeAll()
        machine.frameReceived(Frame(channel: channel, payload: .method(method)), into: &actions)
        return actions
    }

    mutating func feed(_ payload: Frame.Payload, channel: UInt16) -> [ConnectionAction] {
        actions.removeAll()
        machine.frameReceived(Frame(channel: channel, payload: payload), into: &actions)
        return actions
    }

    mutating func openConnection(heartbeat: UInt16 = 60, channelMax: UInt16 = 2047) {
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        _ = feed(.connectionStartOk(Self.plainGuest))
        _ = feed(.connectionTuneOk(ConnectionTuneOk(channelMax: channelMax, frameMax: 131_072, heartbeat: heartbeat)))
        _ = feed(.connectionOpen(ConnectionOpen(virtualHost: "/")))
        machine.admitted(vhost: "/", user: "guest", refusal: nil, into: &actions)
    }

    static func closeCode(_ actions: [ConnectionAction]) -> UInt16? {
        for case .send(.connectionClose(let close), 0) in actions { return close.replyCode }
        return nil
    }

    @Test mutating func fullHandshakeOpensTheConnection() {
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        guard case .send(.connectionStart(let start), 0) = actions.first else {
            Issue.record("expected connection.start, got \(actions)")
            return
        }
        #expect(start.versionMajor == 0 && start.versionMinor == 9)
        #expect(String(decoding: start.mechanisms, as: UTF8.self) == "PLAIN AMQPLAIN")
        guard case .table(let capabilities)? = start.serverProperties["capabilities"] else {
            Issue.record("no capabilities table")
            return
        }
        for name in ["publisher_confirms", "exchange_exchange_bindings", "basic.nack", "consumer_cancel_notify",
                     "connection.blocked", "authentication_failure_close", "per_consumer_qos", "direct_reply_to"] {
            #expect(capabilities[name] == .boolean(true), "capability \(name)")
        }
        #expect(feed(.connectionStartOk(Self.plainGuest)) == [
            .send(.connectionTune(ConnectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 60)), channel: 0),
        ])
        let tuned = feed(.connectionTuneOk(ConnectionTuneOk(channelMax: 100, frameMax: 8192, heartbeat: 5)))
        #expect(tuned == [.tuned(Tuning(channelMax: 100, frameMax: 8192, heartbeat: 5))])
        #expect(feed(.connectionOpen(ConnectionOpen(virtualHost: "/"))) == [.admissionRequested(vhost: "/", user: "guest")])
        actions.removeAll()
        machine.admitted(vhost: "/", user: "guest", refusal: nil, into: &actions)
        #expect(actions == [.send(.connectionOpenOk, channel: 0), .opened(vhost: "/", user: "guest")])
        #expect(machine.state == .open(vhost: "/", user: "guest"))
    }

    @Test mutating func badProtocolHeaderIsRejected() {
        machine.protocolHeaderReceived(accepted: false, into: &actions)
        #expect(actions == [.rejectProtocolHeader])
    }

    @Test mutating func wrongPasswordIsRefusedWith403() {
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        let result = feed(.connectionStartOk(ConnectionStartOk(mechanism: "PLAIN", response: Array("\0guest\0nope".utf8))))
        #expect(Self.closeCode(result) == 403)
        #expect(machine.state == .closing)
    }

    @Test mutating func amqplainLoginIsAccepted() {
        var response = ByteBuffer()
        response.writeFieldTable(["LOGIN": "guest", "PASSWORD": "guest"])
        response.moveReaderIndex(forwardBy: 4)  // AMQPLAIN sends the table without its length
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        let result = feed(.connectionStartOk(ConnectionStartOk(mechanism: "AMQPLAIN", response: Array(response.readableBytesView))))
        #expect(Self.closeCode(result) == nil)
        #expect(machine.state == .awaitingTuneOk(user: "guest"))
    }

    @Test mutating func guestFromAnotherHostIsRefused() {
        machine = ConnectionStateMachine(access: AccessDirectory(.guestOnly()), peerIsLoopback: false)
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        #expect(Self.closeCode(feed(.connectionStartOk(Self.plainGuest))) == 403)
    }

    @Test mutating func unknownVhostIsNotAllowed() {
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        _ = feed(.connectionStartOk(Self.plainGuest))
        _ = feed(.connectionTuneOk(ConnectionTuneOk(channelMax: 0, frameMax: 0, heartbeat: 0)))
        #expect(machine.tuning == Tuning(channelMax: 2047, frameMax: 131_072, heartbeat: 0))
        #expect(Self.closeCode(feed(.connectionOpen(ConnectionOpen(virtualHost: "nope")))) == 530)
    }

    @Test mutating func frameMaxAboveTheServersIsRefused() {
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        _ = feed(.connectionStartOk(Self.plainGuest))
        #expect(Self.closeCode(feed(.connectionTuneOk(ConnectionTuneOk(channelMax: 10, frameMax: 1 << 20, heartbeat: 0)))) == 530)
    }

    @Test mutating func channelsOpenAndClose() {
        openConnection()
        #expect(feed(.channelOpen, channel: 1) == [.send(.channelOpenOk, channel: 1), .channelOpened(1)])
        #expect(Self.closeCode(feed(.channelOpen, channel: 1)) == 504)
    }

    @Test mutating func clientChannelCloseIsAnswered() {
        openConnection()
        _ = feed(.channelOpen, channel: 3)
        // close-ok comes from the broker, after whatever the client sent before the close.
        #expect(feed(.channelClose(ChannelClose(replyCode: 200, replyText: "bye")), channel: 3) == [.channelCloseRequested(3)])
        #expect(!machine.isUsable(3))
        actions.removeAll()
        machine.channelCloseConfirmed(3, into: &actions)
        #expect(actions == [.send(.channelCloseOk, channel: 3)])
        #expect(machine.channels.isEmpty)
    }

    @Test mutating func clientConnectionCloseWaitsForTheBroker() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        #expect(feed(.connectionClose(ConnectionClose(replyCode: 200, replyText: "bye"))) == [.connectionCloseRequested])
        actions.removeAll()
        machine.closeChannel(1, with: AMQPError(.notFound, "no exchange 'x' in vhost '/'"), into: &actions)
        #expect(Self.closeCode(actions) == nil)
        #expect(actions.count == 1)
        actions.removeAll()
        machine.connectionCloseConfirmed(into: &actions)
        #expect(actions == [.channelClosed(1), .send(.connectionCloseOk, channel: 0), .closeSocket])
    }

    @Test mutating func frameOnUnopenedChannelIs504() {
        openConnection()
        #expect(Self.closeCode(feed(.basicQos(BasicQos(prefetchCount: 1)), channel: 7)) == 504)
    }

    @Test mutating func channelMethodOnChannelZeroIs504() {
        openConnection()
        #expect(Self.closeCode(feed(.queueDeclare(QueueDeclare(queue: "q")))) == 504)
    }

    @Test mutating func contentOnUnopenedChannelIs505() {
        openConnection()
        #expect(Self.closeCode(feed(.body(ByteBuffer(string: "x")), channel: 2)) == 505)
    }

    @Test mutating func publishIsAssembledFromHeaderAndBodies() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        let publish = BasicPublish(exchange: "x", routingKey: "k")
        #expect(feed(.basicPublish(publish), channel: 1).isEmpty)
        let header = ContentHeader(bodySize: 6, properties: BasicProperties(deliveryMode: 2))
        #expect(feed(.header(header), channel: 1).isEmpty)
        #expect(feed(.body(ByteBuffer(string: "hel")), channel: 1).isEmpty)
        #expect(feed(.body(ByteBuffer(string: "lo!")), channel: 1) == [.publish(1, publish, header, ByteBuffer(string: "hello!"))])
    }

    @Test mutating func emptyBodyCompletesAtTheHeader() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        _ = feed(.basicPublish(BasicPublish(routingKey: "k")), channel: 1)
        let header = ContentHeader(bodySize: 0, properties: BasicProperties())
        #expect(feed(.header(header), channel: 1) == [.publish(1, BasicPublish(routingKey: "k"), header, ByteBuffer())])
    }

    @Test mutating func methodInsteadOfContentHeaderIs505() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        _ = feed(.basicPublish(BasicPublish(routingKey: "k")), channel: 1)
        #expect(Self.closeCode(feed(.basicQos(BasicQos()), channel: 1)) == 505)
    }

    @Test mutating func immediatePublishIs540() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        #expect(Self.closeCode(feed(.basicPublish(BasicPublish(routingKey: "k", immediate: true)), channel: 1)) == 540)
    }

    @Test mutating func serverCloseWaitsForCloseOk() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        machine.fail(AMQPError(.connectionForced, "shutdown"), into: &actions)
        #expect(actions.contains(.channelClosed(1)))
        #expect(actions.contains(.awaitCloseOk))
        #expect(feed(.channelOpen, channel: 2).isEmpty)
        #expect(feed(.connectionCloseOk) == [.closeSocket])
    }

    @Test mutating func closedChannelIgnoresFramesUntilCloseOk() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        actions.removeAll()
        machine.closeChannel(1, with: AMQPError(.notFound, "no queue 'q' in vhost '/'"), into: &actions)
        guard case .send(.channelClose(let close), 1)? = actions.first else {
            Issue.record("expected channel.close")
            return
        }
        #expect(close.replyCode == 404)
        #expect(close.replyText == "NOT_FOUND - no queue 'q' in vhost '/'")
        #expect(feed(.basicQos(BasicQos()), channel: 1).isEmpty)
        #expect(feed(.channelCloseOk, channel: 1) == [.channelClosed(1)])
        #expect(feed(.channelOpen, channel: 1) == [.send(.channelOpenOk, channel: 1), .channelOpened(1)])
    }

    @Test mutating func decodingFailureClosesWithItsCode() {
        openConnection()
        actions.removeAll()
        machine.decodingFailed(FrameDecodingError(error: .badFrameEnd(0), channel: 0, classID: 0, methodID: 0), into: &actions)
        #expect(Self.closeCode(actions) == 501)
    }
}
