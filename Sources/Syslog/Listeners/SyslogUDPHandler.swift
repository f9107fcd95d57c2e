import AMQPServer
import Broker
import Foundation
import NIOCore

/// One syslog message per datagram (RFC 5426); every datagram of a read burst is published in one
/// hop. A datagram over `max_message_size`, or one arriving while the broker blocks publishers
/// (UDP cannot push back), is dropped and counted. While `BrokerHandOff` is full the socket is not
/// read: datagrams wait in the kernel's receive buffer, which drops what does not fit.
final class SyslogUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let runtime: BrokerRuntime
    private let maxMessageSize: Int
    private var batch: LogBatch
    private var handOff = BrokerHandOff()

    init(configuration: SyslogListenerConfiguration, runtime: BrokerRuntime, counters: SyslogCounters) {
        self.runtime = runtime
        self.maxMessageSize = configuration.maxMessageSize
        self.batch = LogBatch(runtime: runtime, configuration: configuration, counters: counters)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard runtime.alarm.current == .none, envelope.data.readableBytes <= maxMessageSize else {
            batch.drop()
            return
        }
        let receivedAt = Date()
        guard let entry = SyslogParser.parse(envelope.data.readableBytesView, receivedAt: receivedAt) else { return }
        batch.append(entry, frame: envelope.data, peer: envelope.remoteAddress.description, receivedAt: receivedAt)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        handOff.publish(&batch, loop: context.eventLoop) { handler.value.brokerRouted(context: boundContext.value) }
        if handOff.isFull { context.channel.stopReading() }
    }

    /// The broker routed one of this socket's bursts: read again if that was what held it.
    private func brokerRouted(context: ChannelHandlerContext) {
        handOff.routedOne()
        guard !handOff.isFull, context.channel.isActive else { return }
        context.resumeReading()
    }
}
