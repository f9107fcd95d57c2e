import AMQPServer
import Broker
import Foundation
import NIOCore

/// One syslog message per datagram (RFC 5426); every datagram of a read burst is published in one hop.
final class SyslogUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let runtime: BrokerRuntime
    private let counters: SyslogCounters
    private let encoder: LogMessageEncoder
    private var batch: LogBatch

    init(configuration: SyslogListenerConfiguration, runtime: BrokerRuntime, counters: SyslogCounters) {
        self.runtime = runtime
        self.batch = LogBatch(runtime: runtime, configuration: configuration)
        self.counters = counters
        self.encoder = LogMessageEncoder(format: configuration.bodyFormat)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard runtime.alarm.current == .none else {
            counters.dropped.add(1, ordering: .relaxed)  // UDP cannot push back: counted, not queued
            return
        }
        let receivedAt = Date()
        guard let entry = SyslogParser.parse(envelope.data.readableBytesView, receivedAt: receivedAt) else { return }
        counters.count(entry)
        batch.append(encoder.encode(entry, frame: envelope.data, peer: envelope.remoteAddress.description, receivedAt: receivedAt))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        batch.publish()
    }
}
