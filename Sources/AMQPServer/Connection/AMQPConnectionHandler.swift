import AMQPWire
import Broker
import Logging
import NIOCore
import NIOTLS
import TLS

/// The NIO side of one AMQP connection: decodes frames, feeds the state machine, carries out its
/// actions, runs heartbeats, and writes everything produced in one read burst with one flush.
final class AMQPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How long the server waits for connection.close-ok before closing the socket itself.
    static let closeOkTimeout = TimeAmount.seconds(3)

    private var machine: ConnectionStateMachine
    private var reader = FrameReader(decoder: FrameDecoder(expectProtocolHeader: true))
    private var decodingStopped = false
    private var actions: [ConnectionAction] = []
    private var output: FrameOutput
    private var heartbeat: HeartbeatMonitor?
    private var closeTimer: Scheduled<Void>?
    private var handshakeTimer: Scheduled<Void>?
    private let registry: ConnectionRegistry
    private let admission: ConnectionAdmission
    /// Whether this connection holds a socket slot (`connection_max`).
    private var accepted = false
    /// The vhost whose connection slot this connection holds, once admitted.
    private var admittedVhost: String?
    private let runtime: BrokerRuntime
    private let alarm: ResourceAlarm
    /// Set once the client has published: only publishing connections are blocked by an alarm.
    private var hasPublished = false
    /// Whether a resource alarm blocks this connection.
    private var blocked = false
    /// Why the socket is not being read (a resource alarm, a client that does not read its output).
    private var readGate = ReadGate()
    private let connectionID: ConnectionID
    private var connectedToBroker = false
    /// Commands decoded in this read burst, handed to the broker in one hop.
    private var brokerCommands: [BrokerCommand] = []
    /// Where the broker answers; set once the connection is open.
    private var outlet: ConnectionOutlet?
    /// Bytes read since the last hand-over to the broker, and bytes handed over and not yet handled.
    private var readSinceSubmit = 0
    private var aheadOfBroker = 0
    /// Delivery credit owed to the broker for content written to the socket.
    private var creditReturn: CreditReturn
    private var logger: Logger
    /// How a verified client certificate names its user; nil when this listener verifies none.
    private let certificateLogin: CertificateLogin?

    init(access: AccessDirectory, peerIsLoopback: Bool, certificateLogin: CertificateLogin? = nil, tuning: Tuning,
         limits: ConnectionLimits, admission: ConnectionAdmission, registry: ConnectionRegistry, runtime: BrokerRuntime, alarm: ResourceAlarm, logger: Logger) {
        self.alarm = alarm
        self.certificateLogin = certificateLogin
        self.machine = ConnectionStateMachine(access: access, peerIsLoopback: peerIsLoopback, proposedTuning: tuning, limits: limits)
        self.admission = admission
        self.registry = registry
        self.runtime = runtime
        self.connectionID = runtime.makeConnectionID()
        self.creditReturn = CreditReturn(window: runtime.outboundWindow)
        self.logger = logger
        self.output = FrameOutput(allocator: ByteBufferAllocator())
    }

    func channelActive(context: ChannelHandlerContext) {
        registry.add(context.channel)
        logger[metadataKey: "peer"] = "\(context.remoteAddress.map { "\($0)" } ?? "?")"
        accepted = admission.accept()
        guard accepted else {
            logger.debug("closing connection: connection_max (\(admission.limits.connectionMax)) sockets are open")
            stopDecoding()
            context.close(promise: nil)
            context.fireChannelActive()
            return
        }
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(machine.limits.handshakeTimeoutMilliseconds)) {
            [weak self] in self?.handshakeTimedOut(context: context)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(context.channel)
        heartbeat?.stop()
        closeTimer?.cancel()
        handshakeTimer?.cancel()
        if let admittedVhost { admission.release(vhost: admittedVhost) }
        admittedVhost = nil
        if accepted { admission.socketClosed() }
        accepted = false
        machine.socketClosed(into: &actions)
        perform(context: context)
        submitBrokerCommands(context: context)
        if connectedToBroker { runtime.disconnect(connectionID) }
        outlet = nil  // it holds this handler
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        readSinceSubmit += bytes.readableBytes
        heartbeat?.received()
        guard !decodingStopped else { return }
        reader.append(bytes)
        decodeAll(context: context)
        if readSinceSubmit >= Self.brokerBatchBytes { submitBrokerCommands(context: context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        submitBrokerCommands(context: context)
        flush(context: context)
        context.fireChannelReadComplete()
    }

    /// The socket's send buffer went over its high water mark (the client reads too slowly) or
    /// back under its low one: the broker stops or resumes deliveries to this connection.
    /// A client that does not read what it is sent also has no more of its input handled until it does.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        if writable {
            let written = creditReturn.becameWritable()
            if written > 0 { brokerCommands.append(.outboundWritten(written)) }
        }
        brokerCommands.append(.writabilityChanged(writable))
        submitBrokerCommands(context: context)
        gateReading(.outputStalled, holding: !writable, context: context)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event, let certificateLogin {
            machine.peerCertificate = PeerCertificateName(verifiedOn: context.pipeline.syncOperations, login: certificateLogin)
        }
        if let change = event as? ResourceAlarmChanged {
            if change.kind == .none { unblock(context: context) } else if hasPublished { block(change.kind, context: context) }
        }
        if event is ServerShutdownEvent {
            machine.fail(AMQPError(.connectionForced, "broker forced connection closure with reason 'shutdown'"), into: &actions)
            perform(context: context)
            flush(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error: \(error)")
        context.close(promise: nil)
    }

    private func decodeAll(context: ChannelHandlerContext) {
        while !decodingStopped {
            let unit: InboundUnit?
            do {
                unit = try reader.next()
            } catch let failure as FrameDecodingError {
                stopDecoding()
                logger.info("closing connection: \(failure.error.replyCode.name) - \(failure.error.explanation)")
                machine.decodingFailed(failure, into: &actions)
                perform(context: context)
                return
            } catch {
                stopDecoding()
                context.close(promise: nil)
                return
            }
            guard let unit else { return }
            switch unit {
            case .protocolHeader(let accepted):
                machine.protocolHeaderReceived(accepted: accepted, into: &actions)
            case .frame(let frame):
                machine.frameReceived(frame, into: &actions)
            }
            perform(context: context)
        }
    }

    private func stopDecoding() {
        decodingStopped = true
        reader.discard()
    }

    private func perform(context: ChannelHandlerContext) {
        guard !actions.isEmpty else { return }
        for action in actions {
            perform(action, context: context)
        }
        actions.removeAll(keepingCapacity: true)
    }

    private func perform(_ action: ConnectionAction, context: ChannelHandlerContext) {
        switch action {
        case .send(let method, let channel):
            output.frames.writeMethodFrame(method, channel: channel)
        case .rejectProtocolHeader:
            stopDecoding()
            output.frames.writeBytes(ProtocolHeader.bytes)
            closeAfterFlush(context: context)
        case .tuned(let tuning):
            reader.decoder.frameMax = tuning.frameMax
            if tuning.heartbeat > 0 {
                heartbeat = HeartbeatMonitor(interval: .seconds(Int64(tuning.heartbeat)), eventLoop: context.eventLoop) { [weak self] event in
                    self?.heartbeatEvent(event, context: context)
                }
            }
        case .admissionRequested(let vhost, let user):
            let refusal = admission.admit(vhost: vhost, user: user)
            if refusal == nil { admittedVhost = vhost } else { logger.info("refusing connection: \(refusal?.text ?? "")") }
            var answer: [ConnectionAction] = []
            machine.admitted(vhost: vhost, user: user, refusal: refusal, into: &answer)
            for action in answer { perform(action, context: context) }
        case .opened(let vhost, let user):
            handshakeTimer?.cancel()
            handshakeTimer = nil
            logger.info("connection opened: user '\(user)' on vhost '\(vhost)'")
            connectedToBroker = true
            let outlet = ConnectionOutlet(handler: self, context: context)
            self.outlet = outlet
            runtime.connect(connectionID, vhost: vhost, user: user, checked: true, outlet: outlet)
        case .channelOpened(let channel):
            brokerCommands.append(.channelOpened(channel))
        case .channelClosed(let channel):
            brokerCommands.append(.channelClosed(channel))
        case .channelCloseRequested(let channel):
            brokerCommands.append(.channelCloseRequested(channel))
        case .connectionCloseRequested:
            brokerCommands.append(.connectionCloseRequested)
        case .channelMethod(let channel, let method):
            brokerCommands.append(.method(channel, method))
        case .publish(let channel, let publish, let header, let body):
            let (compactHeader, compactBody) = ContentCompaction.compact(header, body, allocator: context.channel.allocator)
            brokerCommands.append(.publish(channel, publish, compactHeader, compactBody))
            hasPublished = true
            let raised = alarm.current
            if raised != .none { block(raised, context: context) }
        case .closeSocket:
            stopDecoding()
            closeAfterFlush(context: context)
        case .awaitCloseOk:
            closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.closeOkTimeout) {
                context.close(promise: nil)
            }
        case .loginRefused(let reason):
            logger.warning("\(reason)")
        }
    }

    /// How far a connection's input may run ahead of the broker (bytes read, not yet handled).
    static let brokerReadAhead = 4 << 20

    /// A long read burst (up to 16 reads of 64 KiB) is handed over in batches of this much input,
    /// so the broker's loop, which takes one batch per connection in turn (`BrokerInbox`), gets to
    /// other connections' acks after a few milliseconds of a flooding publisher's work.
    static let brokerBatchBytes = 256 << 10

    /// A resource alarm: tell the client (connection.blocked, when it supports it) and stop reading
    /// its socket, so a publisher is held back by TCP instead of growing the broker's memory.
    private func block(_ kind: ResourceAlarm.Kind, context: ChannelHandlerContext) {
        guard !blocked else { return }
        blocked = true
        if machine.clientSupportsBlocked { output.frames.writeMethodFrame(.connectionBlocked(ConnectionBlocked(reason: kind.reason)), channel: 0) }
        flush(context: context)
        gateReading(.resourceAlarm, holding: true, context: context)
    }

    private func unblock(context: ChannelHandlerContext) {
        guard blocked else { return }
        blocked = false
        if machine.clientSupportsBlocked { output.frames.writeMethodFrame(.connectionUnblocked, channel: 0) }
        flush(context: context)
        gateReading(.resourceAlarm, holding: false, context: context)
    }

    /// Stops or resumes reading the socket when the gate says so. While nothing is read the
    /// client's heartbeats cannot be seen, so the heartbeat monitor does not count them missed.
    private func gateReading(_ cause: ReadGate.Cause, holding: Bool, context: ChannelHandlerContext) {
        switch readGate.set(cause, holding: holding) {
        case .stopReading:
            heartbeat?.isPaused = true
            context.channel.setOption(.autoRead, value: false).whenFailure { _ in }
        case .resumeReading:
            heartbeat?.isPaused = false
            context.channel.setOption(.autoRead, value: true).whenFailure { _ in }
            context.read()
        case nil:
            break
        }
    }

    /// Hands the burst's commands to the broker. The bytes read for them count as ahead of the
    /// broker until it has handled them; over `brokerReadAhead` the socket is not read, so a
    /// client cannot pile its input up in the broker's task queue faster than the broker works.
    private func submitBrokerCommands(context: ChannelHandlerContext) {
        guard !brokerCommands.isEmpty else { return }
        let commands = brokerCommands
        brokerCommands.removeAll(keepingCapacity: true)
        guard connectedToBroker, let outlet else { return }
        let bytes = readSinceSubmit
        readSinceSubmit = 0
        aheadOfBroker += bytes
        runtime.submit(commands, from: connectionID) { outlet.brokerHandled(bytes) }
        if aheadOfBroker > Self.brokerReadAhead { gateReading(.brokerBehind, holding: true, context: context) }
    }

    /// The broker has handled commands read from `bytes` bytes: reading resumes once it is within half the read-ahead.
    func brokerHandled(_ bytes: Int, context: ChannelHandlerContext) {
        aheadOfBroker -= min(aheadOfBroker, bytes)
        if aheadOfBroker <= Self.brokerReadAhead / 2 { gateReading(.brokerBehind, holding: false, context: context) }
    }

    /// Publisher credit: a queue this connection publishes to is behind its consumers (held) or has
    /// caught up. The socket is simply not read meanwhile, as RabbitMQ's credit flow does; the
    /// client is not sent connection.blocked, which is for resource alarms.
    func holdPublishing(_ held: Bool, context: ChannelHandlerContext) {
        gateReading(.queuesBehind, holding: held, context: context)
    }

    /// A batch from the broker: replies, deliveries and errors for this connection, written with one flush.
    func receive(_ batch: [Outbound], context: ChannelHandlerContext) {
        var contentBytes = 0
        for item in batch {
            contentBytes += item.creditBytes
            switch item {
            case .method(let channel, .channelCloseOk):
                machine.channelCloseConfirmed(channel, into: &actions)
            case .method(0, .connectionCloseOk):
                machine.connectionCloseConfirmed(into: &actions)
            case .method(_, .basicCancel) where !machine.clientSupportsCancelNotify:
                continue  // the broker's notice that a consumer's queue went away
            case .method(let channel, let method):
                if machine.isUsable(channel) { output.frames.writeMethodFrame(method, channel: channel) }
            case .content(let channel, let method, let header, let body):
                guard machine.isUsable(channel) else { continue }
                output.writeContent(method, header: header, body: body, channel: channel, frameMax: machine.tuning.frameMax)
            case .closeChannel(let channel, let error):
                machine.closeChannel(channel, with: error, into: &actions)
            case .closeConnection(let error):
                machine.fail(error, into: &actions)
            }
            perform(context: context)
        }
        flush(context: context)
        let returned = creditReturn.wrote(contentBytes, writable: context.channel.isWritable)
        if returned > 0 { brokerCommands.append(.outboundWritten(returned)) }
        submitBrokerCommands(context: context)
    }

    private func handshakeTimedOut(context: ChannelHandlerContext) {
        handshakeTimer = nil
        guard machine.handshakeTimedOut(into: &actions) else { return }
        admission.countHandshakeTimeout()
        logger.info("closing connection: handshake_timeout (\(machine.limits.handshakeTimeoutMilliseconds) ms) before connection.open")
        perform(context: context)
    }

    private func heartbeatEvent(_ event: HeartbeatMonitor.Event, context: ChannelHandlerContext) {
        switch event {
        case .sendHeartbeat:
            output.frames.writeHeartbeatFrame()
            flush(context: context)
        case .peerMissedHeartbeats:
            logger.info("missed heartbeats from client, closing connection")
            context.close(promise: nil)
        }
    }

    private func flush(context: ChannelHandlerContext) {
        guard !output.isEmpty else { return }
        heartbeat?.sent()
        for buffer in output.take() { context.write(wrapOutboundOut(buffer), promise: nil) }
        context.flush()
    }

    private func closeAfterFlush(context: ChannelHandlerContext) {
        heartbeat?.stop()
        // Nothing to send (a handshake timeout): close now. Behind TLS a write made before the TLS
        // handshake finished would wait for it, and the close with it.
        guard !output.isEmpty else {
            context.close(promise: nil)
            return
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        let buffers = output.take()
        for (index, buffer) in buffers.enumerated() {
            context.write(wrapOutboundOut(buffer), promise: index == buffers.count - 1 ? promise : nil)
        }
        context.flush()
        promise.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
