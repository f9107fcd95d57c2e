import AMQPServer
import Broker
import Foundation
import Logging
import NIOCore

/// One syslog TCP connection: RFC 6587 framing (octet-counted or LF-terminated, frame by frame);
/// the entries of a read burst are published in one hop. Broken framing drops the connection.
final class SyslogTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let runtime: BrokerRuntime
    private let logger: Logger
    private var framer: SyslogTCPFramer
    private var batch: LogBatch
    private var peer = "?"
    /// Set by broken framing: the rest of the stream is not read as frames any more.
    private var failed = false

    init(configuration: SyslogListenerConfiguration, runtime: BrokerRuntime, counters: SyslogCounters, logger: Logger) {
        self.runtime = runtime
        self.logger = logger
        self.framer = SyslogTCPFramer(maxMessageSize: configuration.maxMessageSize)
        self.batch = LogBatch(runtime: runtime, configuration: configuration, counters: counters)
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress?.description ?? "?"
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        framer.append(unwrapInboundIn(data))
        do {
            while let frame = try framer.nextFrame() { collect(frame) }
        } catch {
            batch.drop()
            failed = true
            logger.warning("syslog TCP \(peer): \(error); closing the connection")
            batch.publish()
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        batch.publish()
        if runtime.alarm.current != .none { pauseWhileAlarmed(context: context) }
    }

    /// While the broker blocks publishers, stop reading so the sender (rsyslog, …) buffers on its side.
    private func pauseWhileAlarmed(context: ChannelHandlerContext) {
        context.channel.setOption(.autoRead, value: false).whenFailure { _ in }
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(200)) { [self] in
            if runtime.alarm.current == .none {
                context.channel.setOption(.autoRead, value: true).whenFailure { _ in }
                context.read()
            } else {
                pauseWhileAlarmed(context: context)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !failed, let rest = framer.finish() { collect(rest) }
        batch.publish()
        context.fireChannelInactive()
    }

    private func collect(_ frame: ByteBuffer) {
        let receivedAt = Date()
        guard let entry = SyslogParser.parse(frame.readableBytesView, receivedAt: receivedAt) else { return }
        batch.append(entry, frame: frame, peer: peer, receivedAt: receivedAt)
    }
}
