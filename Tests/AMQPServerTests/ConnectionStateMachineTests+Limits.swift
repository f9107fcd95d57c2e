import AMQPWire
import Broker
import NIOCore
import Testing

@testable import AMQPServer

/// channel_max, max_message_size, handshake_timeout and the connection limits, as RabbitMQ has them.
extension ConnectionStateMachineTests {
    static func channelClose(_ actions: [ConnectionAction]) -> ChannelClose? {
        for case .send(.channelClose(let close), _) in actions { return close }
        return nil
    }

    static func connectionClose(_ actions: [ConnectionAction]) -> ConnectionClose? {
        for case .send(.connectionClose(let close), 0) in actions { return close }
        return nil
    }

    @Test mutating func channelMaxCountsOpenChannelsNotChannelNumbers() {
        openConnection(channelMax: 3)
        for number: UInt16 in [65535, 7, 2048] {
            #expect(feed(.channelOpen, channel: number) == [.send(.channelOpenOk, channel: number), .channelOpened(number)])
        }
        let refused = feed(.channelOpen, channel: 1)
        #expect(Self.connectionClose(refused)?.replyCode == 530)
        #expect(Self.connectionClose(refused)?.replyText
            == "NOT_ALLOWED - number of channels opened (3) has reached the negotiated channel_max (3)")
    }

    @Test mutating func aClosedChannelGivesItsSlotBack() {
        openConnection(channelMax: 1)
        _ = feed(.channelOpen, channel: 9)
        _ = feed(.channelClose(ChannelClose(replyCode: 200, replyText: "bye")), channel: 9)
        machine.channelCloseConfirmed(9, into: &actions)
        #expect(feed(.channelOpen, channel: 10) == [.send(.channelOpenOk, channel: 10), .channelOpened(10)])
    }

    @Test mutating func channelOpenOnChannelZeroIsAChannelError() {
        openConnection()
        #expect(Self.closeCode(feed(.channelOpen, channel: 0)) == 504)
    }

    @Test mutating func anOversizedMessageClosesTheChannelBeforeItsBody() {
        machine = ConnectionStateMachine(access: AccessDirectory(.guestOnly()), peerIsLoopback: true,
                                         limits: ConnectionLimits(handshakeTimeoutMilliseconds: 10_000, maxMessageSize: 16_777_216))
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        _ = feed(.channelOpen, channel: 2)
        _ = feed(.basicPublish(BasicPublish(routingKey: "k")), channel: 1)
        let refused = feed(.header(ContentHeader(bodySize: 20_000_000, properties: BasicProperties())), channel: 1)
        let close = Self.channelClose(refused)
        #expect(close?.replyCode == 406)
        #expect(close?.replyText == "PRECONDITION_FAILED - message size 20000000 is larger than configured max size 16777216")
        #expect(close?.classID == 60 && close?.methodID == 40)
        #expect(refused.contains(.channelClosed(1)))
        #expect(Self.closeCode(refused) == nil)
        // The body that follows is dropped, not assembled; the other channel works on.
        #expect(feed(.body(ByteBuffer(repeating: 0, count: 4096)), channel: 1).isEmpty)
        #expect(machine.channels[1]?.content == nil)
        _ = feed(.basicPublish(BasicPublish(routingKey: "k")), channel: 2)
        #expect(feed(.header(ContentHeader(bodySize: 0, properties: BasicProperties())), channel: 2).count == 1)
    }

    @Test mutating func theLargestBodySizeAnnouncedNeitherTrapsNorAllocates() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        _ = feed(.basicPublish(BasicPublish(routingKey: "k")), channel: 1)
        let refused = feed(.header(ContentHeader(bodySize: UInt64.max, properties: BasicProperties())), channel: 1)
        #expect(Self.channelClose(refused)?.replyText
            == "PRECONDITION_FAILED - message size 18446744073709551615 is larger than configured max size 16777216")
    }

    @Test mutating func atTheCeilingTheTextSaysMaxSizeAsRabbitMQ() {
        machine = ConnectionStateMachine(access: AccessDirectory(.guestOnly()), peerIsLoopback: true,
                                         limits: ConnectionLimits(handshakeTimeoutMilliseconds: 10_000, maxMessageSize: 536_870_912))
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        _ = feed(.basicPublish(BasicPublish(routingKey: "k")), channel: 1)
        let refused = feed(.header(ContentHeader(bodySize: 536_870_913, properties: BasicProperties())), channel: 1)
        #expect(Self.channelClose(refused)?.replyText == "PRECONDITION_FAILED - message size 536870913 is larger than max size 536870912")
    }

    @Test mutating func aMessageOfExactlyTheMaximumIsAccepted() {
        machine = ConnectionStateMachine(access: AccessDirectory(.guestOnly()), peerIsLoopback: true,
                                         limits: ConnectionLimits(handshakeTimeoutMilliseconds: 10_000, maxMessageSize: 4))
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        _ = feed(.basicPublish(BasicPublish(routingKey: "k")), channel: 1)
        #expect(feed(.header(ContentHeader(bodySize: 4, properties: BasicProperties())), channel: 1).isEmpty)
        #expect(feed(.body(ByteBuffer(string: "four")), channel: 1).count == 1)
    }

    @Test mutating func theHandshakeTimeoutDropsAConnectionThatIsNotOpenYet() {
        let silentDropped = machine.handshakeTimedOut(into: &actions)
        #expect(silentDropped && actions == [.closeSocket])
        #expect(machine.state == .closed)

        machine = ConnectionStateMachine(access: AccessDirectory(.guestOnly()), peerIsLoopback: true)
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        _ = feed(.connectionStartOk(Self.plainGuest))
        _ = feed(.connectionTuneOk(ConnectionTuneOk(channelMax: 0, frameMax: 0, heartbeat: 0)))
        actions.removeAll()
        let stalledDropped = machine.handshakeTimedOut(into: &actions)
        #expect(stalledDropped && actions == [.closeSocket])
    }

    @Test mutating func theHandshakeTimeoutLeavesAnOpenConnectionAlone() {
        openConnection()
        actions.removeAll()
        let dropped = machine.handshakeTimedOut(into: &actions)
        #expect(!dropped && actions.isEmpty)
        #expect(machine.state == .open(vhost: "/", user: "guest"))
    }

    @Test mutating func aRefusedAdmissionClosesWith530() {
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        _ = feed(.connectionStartOk(Self.plainGuest))
        _ = feed(.connectionTuneOk(ConnectionTuneOk(channelMax: 0, frameMax: 0, heartbeat: 0)))
        _ = feed(.connectionOpen(ConnectionOpen(virtualHost: "/")))
        actions.removeAll()
        let admission = ConnectionAdmission(limits: .init(connectionMax: 10, vhostMaxConnections: ["/": 0]))
        let refusal = admission.admit(vhost: "/", user: "guest")
        machine.admitted(vhost: "/", user: "guest", refusal: refusal, into: &actions)
        #expect(Self.connectionClose(actions)?.replyText
            == "NOT_ALLOWED - access to vhost '/' refused for user 'guest': connection limit (0) is reached")
        #expect(!actions.contains(.send(.connectionOpenOk, channel: 0)))
    }
}

/// Counting connections against `connection_max` and the vhosts' `max-connections`.
@Suite struct ConnectionAdmissionTests {
    @Test func connectionMaxCountsSocketsAndAClosedOneMakesRoom() {
        let admission = ConnectionAdmission(limits: .init(connectionMax: 2))
        #expect(admission.accept() && admission.accept())
        #expect(!admission.accept())
        admission.socketClosed()
        #expect(admission.accept())
        #expect(admission.current.sockets == 2 && admission.current.refusedSockets == 1)
    }

    @Test func aVhostLimitLeavesOtherVhostsOpen() {
        let admission = ConnectionAdmission(limits: .init(connectionMax: 100, vhostMaxConnections: ["/": 1]))
        #expect(admission.admit(vhost: "/", user: "guest") == nil)
        #expect(admission.admit(vhost: "/", user: "alice")?.text
            == "NOT_ALLOWED - access to vhost '/' refused for user 'alice': connection limit (1) is reached")
        #expect(admission.admit(vhost: "logs", user: "alice") == nil)
    }
}
