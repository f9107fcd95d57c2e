import AMQPWire
import Broker
import NIOCore
import TLS

/// The AMQP connection lifecycle as a value type: handshake, channels, content assembly and close.
/// It does no I/O; every input returns the actions the handler must carry out, in order.
struct ConnectionStateMachine {
    enum State: Equatable {
        case awaitingProtocolHeader
        case awaitingStartOk
        case awaitingTuneOk(user: String)
        case awaitingOpen(user: String)
        case open(vhost: String, user: String)
        /// The client sent connection.close; the broker's close-ok is awaited.
        case closingByClient
        /// The server sent connection.close and waits for close-ok.
        case closing
        case closed
    }

    /// One open channel: whether the server is closing it, and any publish being assembled.
    struct ChannelState {
        /// The server sent channel.close and waits for close-ok.
        var closing = false
        /// The client sent channel.close; the broker's close-ok is awaited.
        var closingByClient = false
        var content: ContentAssembly?
    }

    var state: State = .awaitingProtocolHeader
    var tuning: Tuning
    var channels: [UInt16: ChannelState] = [:]
    /// Users, vhosts and permissions as they are now (read at login and at connection.open).
    let access: AccessDirectory
    /// The client announced the `connection.blocked` capability in start-ok.
    var clientSupportsBlocked = false
    /// The client announced `consumer_cancel_notify`: without it, RabbitMQ sends no basic.cancel
    /// when a consumer's queue goes away (the client would not expect one), and neither does warren.
    var clientSupportsCancelNotify = false
    let peerIsLoopback: Bool
    /// The client's verified TLS certificate, for SASL EXTERNAL; set by the handler after the handshake.
    var peerCertificate = PeerCertificateName.noCertificate
    let limits: ConnectionLimits

    init(access: AccessDirectory, peerIsLoopback: Bool, proposedTuning: Tuning = .rabbitDefaults,
         limits: ConnectionLimits = .rabbitDefaults) {
        self.access = access
        self.peerIsLoopback = peerIsLoopback
        self.tuning = proposedTuning
        self.limits = limits
    }

    /// The SASL mechanisms connection.start offers: EXTERNAL only to a client with a verified certificate.
    var offeredMechanisms: String {
        peerCertificate == .noCertificate ? SASLCredentials.offeredMechanisms
            : SASLCredentials.offeredMechanisms + " " + ExternalLogin.mechanism
    }

    /// Whether frames may be sent on a channel: it is open and not being closed.
    func isUsable(_ channel: UInt16) -> Bool {
        guard let channelState = channels[channel] else { return false }
        switch state {
        case .open, .closingByClient: return !channelState.closing && !channelState.closingByClient
        default: return false
        }
    }

    /// The broker answered a client's channel.close.
    mutating func channelCloseConfirmed(_ channel: UInt16, into actions: inout [ConnectionAction]) {
        guard channels[channel]?.closingByClient == true else { return }
        channels[channel] = nil
        actions.append(.send(.channelCloseOk, channel: channel))
    }

    /// The broker answered a client's connection.close.
    mutating func connectionCloseConfirmed(into actions: inout [ConnectionAction]) {
        guard state == .closingByClient else { return }
        for channel in channels.keys.sorted() { actions.append(.channelClosed(channel)) }
        channels.removeAll()
        state = .closed
        actions.append(.send(.connectionCloseOk, channel: 0))
        actions.append(.closeSocket)
    }

    /// The eight octets that open the connection.
    mutating func protocolHeaderReceived(accepted: Bool, into actions: inout [ConnectionAction]) {
        guard state == .awaitingProtocolHeader, accepted else {
            state = .closed
            actions.append(.rejectProtocolHeader)
            return
        }
        state = .awaitingStartOk
        actions.append(.send(.connectionStart(ServerProperties.start(mechanisms: offeredMechanisms)), channel: 0))
    }

    /// A decoded frame from the client.
    mutating func frameReceived(_ frame: Frame, into actions: inout [ConnectionAction]) {
        switch state {
        case .awaitingProtocolHeader, .closed, .closingByClient:
            return
        case .closing:
            closingFrameReceived(frame, into: &actions)
        case .awaitingStartOk, .awaitingTuneOk, .awaitingOpen:
            do throws(AMQPError) {
                try handshakeFrameReceived(frame, into: &actions)
            } catch {
                fail(error, into: &actions)
            }
        case .open:
            do throws(AMQPError) {
                try openFrameReceived(frame, into: &actions)
            } catch {
                fail(error, into: &actions)
            }
        }
    }

    /// Bytes that could not be decoded: a hard error for the whole connection.
    mutating func decodingFailed(_ failure: FrameDecodingError, into actions: inout [ConnectionAction]) {
        guard state != .closing, state != .closed else { return }
        let error = AMQPError(failure.error.replyCode, failure.error.explanation,
                              classID: failure.classID, methodID: failure.methodID)
        fail(error, into: &actions)
    }

    /// The broker closes one channel with a soft error (404, 405, 406, 403 …).
    mutating func closeChannel(_ channel: UInt16, with error: AMQPError, into actions: inout [ConnectionAction]) {
        guard state == .closingByClient || { if case .open = state { true } else { false } }(),
              channels[channel] != nil, channels[channel]?.closing == false else { return }
        channels[channel]?.closing = true
        channels[channel]?.content = nil
        actions.append(.send(.channelClose(ChannelClose(replyCode: error.code.rawValue, replyText: error.text,
                                                       classID: error.classID, methodID: error.methodID)), channel: channel))
    }

    /// Closes the connection with an error or a reason such as shutdown (320).
    mutating func fail(_ error: AMQPError, into actions: inout [ConnectionAction]) {
        switch state {
        case .closing, .closed, .closingByClient:
            return
        case .awaitingProtocolHeader:
            state = .closed
            actions.append(.closeSocket)
            return
        default:
            break
        }
        for channel in channels.keys.sorted() { actions.append(.channelClosed(channel)) }
        channels.removeAll()
        state = .closing
        actions.append(.send(.connectionClose(ConnectionClose(replyCode: error.code.rawValue, replyText: error.text,
                                                             classID: error.classID, methodID: error.methodID)), channel: 0))
        actions.append(.awaitCloseOk)
    }

    /// `handshake_timeout` elapsed: a connection not yet open is dropped (as RabbitMQ does, without a
    /// connection.close). Returns whether it was dropped.
    mutating func handshakeTimedOut(into actions: inout [ConnectionAction]) -> Bool {
        switch state {
        case .awaitingProtocolHeader, .awaitingStartOk, .awaitingTuneOk, .awaitingOpen:
            state = .closed
            actions.append(.closeSocket)
            return true
        case .open, .closingByClient, .closing, .closed:
            return false
        }
    }

    /// The socket went away: every channel ends.
    mutating func socketClosed(into actions: inout [ConnectionAction]) {
        for channel in channels.keys.sorted() { actions.append(.channelClosed(channel)) }
        channels.removeAll()
        state = .closed
    }

    private mutating func closingFrameReceived(_ frame: Frame, into actions: inout [ConnectionAction]) {
        guard frame.channel == 0, case .method(let method) = frame.payload else { return }
        switch method {
        case .connectionCloseOk:
            state = .closed
            actions.append(.closeSocket)
        case .connectionClose:
            state = .closed
            actions.append(.send(.connectionCloseOk, channel: 0))
            actions.append(.closeSocket)
        default:
            return
        }
    }
}
