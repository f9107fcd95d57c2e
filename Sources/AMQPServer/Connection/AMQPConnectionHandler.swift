import AMQPWire
import Logging
import NIOCore

/// The NIO side of one AMQP connection: decodes frames, feeds the state machine, carries out its
/// actions, runs heartbeats, and writes everything produced in one read burst with one flush.
final class AMQPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How long the server waits for connection.close-ok before closing the socket itself.
    static let closeOkTimeout = TimeAmount.seconds(3)

    private var machine: ConnectionStateMachine
    private var decoder = FrameDecoder(expectProtocolHeader: true)
    private var received: ByteBuffer?
    private var decodingStopped = false
    private var actions: [ConnectionAction] = []
    private var output: ByteBuffer
    private var heartbeat: HeartbeatMonitor?
    private var closeTimer: Scheduled<Void>?
    private let registry: ConnectionRegistry
    private var logger: Logger

    init(users: UserDirectory, peerIsLoopback: Bool, tuning: Tuning, registry: ConnectionRegistry, logger: Logger) {
        self.machine = ConnectionStateMachine(users: users, peerIsLoopback: peerIsLoopback, proposedTuning: tuning)
        self.registry = registry
        self.logger = logger
        self.output = ByteBufferAllocator().buffer(capacity: 4096)
    }

    func channelActive(context: ChannelHandlerContext) {
        registry.add(context.channel)
        logger[metadataKey: "peer"] = "\(context.remoteAddress.map { "\($0)" } ?? "?")"
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(context.channel)
        heartbeat?.stop()
        closeTimer?.cancel()
        machine.socketClosed(into: &actions)
        perform(context: context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        heartbeat?.received()
        guard !decodingStopped else { return }
        if received == nil || received!.readableBytes == 0 {
            received = bytes
        } else {
            received!.writeBuffer(&bytes)
        }
        decodeAll(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context: context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
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
        while var buffer = received, buffer.readableBytes > 0 {
            received = nil  // keep the buffer uniquely referenced while decoding
            defer { received = buffer }
            let unit: InboundUnit?
            do {
                unit = try decoder.decode(buffer: &buffer)
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
        received = nil
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
            output.writeMethodFrame(method, channel: channel)
        case .rejectProtocolHeader:
            stopDecoding()
            output.writeBytes(ProtocolHeader.bytes)
            closeAfterFlush(context: context)
        case .tuned(let tuning):
            decoder.frameMax = tuning.frameMax
            if tuning.heartbeat > 0 {
                heartbeat = HeartbeatMonitor(interval: .seconds(Int64(tuning.heartbeat)), eventLoop: context.eventLoop) { [weak self] event in
                    self?.heartbeatEvent(event, context: context)
                }
            }
        case .opened(let vhost, let user):
            logger.info("connection opened: user '\(user)' on vhost '\(vhost)'")
        case .channelOpened, .channelClosed, .channelMethod, .publish:
            break
        case .closeSocket:
            stopDecoding()
            closeAfterFlush(context: context)
        case .awaitCloseOk:
            closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.closeOkTimeout) {
                context.close(promise: nil)
            }
        }
    }

    private func heartbeatEvent(_ event: HeartbeatMonitor.Event, context: ChannelHandlerContext) {
        switch event {
        case .sendHeartbeat:
            output.writeHeartbeatFrame()
            flush(context: context)
        case .peerMissedHeartbeats:
            logger.info("missed heartbeats from client, closing connection")
            context.close(promise: nil)
        }
    }

    private func flush(context: ChannelHandlerContext) {
        guard output.readableBytes > 0 else { return }
        heartbeat?.sent()
        context.writeAndFlush(wrapOutboundOut(output), promise: nil)
        output = context.channel.allocator.buffer(capacity: 4096)
    }

    private func closeAfterFlush(context: ChannelHandlerContext) {
        heartbeat?.stop()
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(output), promise: promise)
        output = context.channel.allocator.buffer(capacity: 0)
        promise.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
