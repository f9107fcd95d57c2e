import AMQPServer
import Broker
import Foundation
import NIOCore

/// One syslog message per datagram (RFC 5426); every datagram of a read burst is published in one hop.
final class SyslogUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let configuration: SyslogListenerConfiguration
    private let runtime: BrokerRuntime
    private let counters: SyslogCounters
    private let encoder: LogMessageEncoder
    private var batch: [InternalPublish] = []

    init(configuration: SyslogListenerConfiguration, runtime: BrokerRuntime, counters: SyslogCounters) {
        self.configuration = configuration
        self.runtime = runtime
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
        guard !batch.isEmpty else { return }
        let messages = batch
        batch.removeAll(keepingCapacity: true)
        let exchange = configuration.exchange
        let vhost = configuration.vhost
        runtime.withBroker { $0.publishInternal(messages, exchange: exchange, vhost: vhost) }
    }
}
