import AMQPServer
import Broker
import Foundation
import Logging
import NIOCore

/// One syslog TCP connection: RFC 6587 framing (octet-counted or LF-terminated, frame by frame);
/// the entries of a read burst are published in one hop. Broken framing drops the connection, as
/// does one more connection than `max_connections` (at accept) and a partial frame held longer
/// than `partial_frame_timeout` (a slow or stalled sender; the partial frame is dropped). At the
/// close, an unterminated last line is published; an octet-counted frame cut short is dropped.
/// While `BrokerHandOff` is full the socket is not read, so a sender faster than the broker waits
/// in its own buffers (TCP flow control).
final class SyslogTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let runtime: BrokerRuntime
    private let logger: Logger
    private let slots: SyslogConnectionSlots
    private let partialFrameTimeout: TimeAmount
    private var framer: SyslogTCPFramer
    private var batch: LogBatch
    private var peer = "?"
    /// Whether this connection holds one of the listener's slots.
    private var admitted = false
    /// Set by broken framing or a timeout: the rest of the stream is not read as frames any more.
    private var failed = false
    /// When the frame now pending began to wait: the last read burst that completed a frame, or that
    /// left bytes pending after none were; nil while no bytes are pending.
    private var partialFrameSince: NIODeadline?
    /// Whether the current read burst completed a frame.
    private var completedFrame = false
    /// Checks, at the pending frame's deadline, whether it is still the same partial frame.
    private var partialFrameTimer: Scheduled<Void>?
    /// Read bursts handed to the broker's loop and not yet routed there.
    private var handOff = BrokerHandOff()

    init(configuration: SyslogListenerConfiguration, runtime: BrokerRuntime, counters: SyslogCounters,
         slots: SyslogConnectionSlots, logger: Logger) {
        self.runtime = runtime
        self.logger = logger
        self.slots = slots
        self.partialFrameTimeout = configuration.partialFrameTimeout
        self.framer = SyslogTCPFramer(maxMessageSize: configuration.maxMessageSize)
        self.batch = LogBatch(runtime: runtime, configuration: configuration, counters: counters)
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress?.description ?? "?"
        admitted = slots.take()
        if !admitted {
            failed = true
            logger.debug("syslog TCP \(peer): max_connections (\(slots.limit)) are open; closing the connection")
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        framer.append(unwrapInboundIn(data))
        do {
            while let frame = try framer.nextFrame() {
                completedFrame = true
                collect(frame)
            }
        } catch {
            fail(context: context, reason: "\(error)")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        publishBatch(context: context)
        if !failed { watchPartialFrame(context: context) }
        if runtime.alarm.current != .none {
            pauseWhileAlarmed(context: context)
        } else if handOff.isFull {
            context.channel.stopReading()
        }
    }

    /// Publishes the burst's entries and counts them at the broker until it has routed them.
    private func publishBatch(context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        handOff.publish(&batch, loop: context.eventLoop) { handler.value.brokerRouted(context: boundContext.value) }
    }

    /// The broker routed one of this connection's bursts: read again if that was what held it.
    private func brokerRouted(context: ChannelHandlerContext) {
        handOff.routedOne()
        guard !handOff.isFull, !failed, context.channel.isActive else { return }
        guard runtime.alarm.current == .none else { return pauseWhileAlarmed(context: context) }
        context.resumeReading()
    }

    /// Drops the pending frame (counted) and closes the connection.
    private func fail(context: ChannelHandlerContext, reason: String) {
        batch.drop()
        failed = true
        partialFrameTimer?.cancel()
        logger.warning("syslog TCP \(peer): \(reason); closing the connection")
        batch.publish()
        context.close(promise: nil)
    }

    /// Starts the partial-frame clock when a read burst leaves bytes of an incomplete frame, restarts
    /// it when the burst also completed a frame (a busy sender whose reads end mid-frame is making
    /// progress), and leaves it running otherwise: trickling one frame's bytes does not help.
    private func watchPartialFrame(context: ChannelHandlerContext) {
        defer { completedFrame = false }
        guard framer.pendingBytes > 0 else {
            partialFrameSince = nil
            return
        }
        if completedFrame || partialFrameSince == nil { partialFrameSince = .now() }
        if partialFrameTimer == nil, let since = partialFrameSince {
            checkPartialFrame(context: context, at: since + partialFrameTimeout)
        }
    }

    private func checkPartialFrame(context: ChannelHandlerContext, at deadline: NIODeadline) {
        partialFrameTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            partialFrameTimer = nil
            guard let since = partialFrameSince else { return }
            let deadline = since + partialFrameTimeout
            if NIODeadline.now() < deadline { return checkPartialFrame(context: context, at: deadline) }
            // While warren itself stops reading (alarm), the sender is not the one holding the frame up.
            guard runtime.alarm.current == .none else { return checkPartialFrame(context: context, at: .now() + partialFrameTimeout) }
            slots.countPartialFrameTimeout()
            fail(context: context, reason: "a partial frame of \(framer.pendingBytes) bytes waited longer than partial_frame_timeout")
        }
    }

    /// While the broker blocks publishers, stop reading so the sender (rsyslog, …) buffers on its side.
    private func pauseWhileAlarmed(context: ChannelHandlerContext) {
        context.channel.stopReading()
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(200)) { [self] in
            if runtime.alarm.current != .none {
                pauseWhileAlarmed(context: context)
            } else if !handOff.isFull {
                context.resumeReading()
            }  // otherwise the broker's next routed burst resumes reading
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        partialFrameTimer?.cancel()
        partialFrameTimer = nil
        if !failed { collect(rest: framer.finish()) }
        batch.publish()
        if admitted { slots.release() }
        admitted = false
        context.fireChannelInactive()
    }

    /// An unterminated line is published; an octet-counted frame cut off by the close is dropped and counted.
    private func collect(rest: SyslogTCPFramer.Rest?) {
        switch rest {
        case .line(let line)?:
            collect(line)
        case .incompleteFrame(let pendingBytes)?:
            batch.drop()
            slots.countIncompleteFrame()
            logger.debug("syslog TCP \(peer): closed inside an octet-counted frame (\(pendingBytes) bytes pending); dropped")
        case nil:
            break
        }
    }

    private func collect(_ frame: ByteBuffer) {
        let receivedAt = Date()
        guard let entry = SyslogParser.parse(frame.readableBytesView, receivedAt: receivedAt) else { return }
        batch.append(entry, frame: frame, peer: peer, receivedAt: receivedAt)
    }
}
