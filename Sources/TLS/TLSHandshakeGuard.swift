import Logging
import Metrics
import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind the TLS handler: a handshake that fails (wrong CA, no client certificate, an old
/// protocol version, plain text on a TLS port) or does not finish within the handshake timeout is
/// logged with its cause and closes that socket only. After the handshake it passes everything on.
final class TLSHandshakeGuard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let listener: String
    private let timeout: TimeAmount
    private let failures: Counter
    private let logger: Logger
    private var handshakeCompleted = false
    private var timer: Scheduled<Void>?

    init(listener: String, timeout: TimeAmount, failures: Counter, logger: Logger) {
        self.listener = listener
        self.timeout = timeout
        self.failures = failures
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            handshakeCompleted = true
            timer?.cancel()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !handshakeCompleted else {
            context.fireErrorCaught(error)
            return
        }
        failed(context: context, because: "\(error)")
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard timer == nil, !handshakeCompleted else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            guard let self, !self.handshakeCompleted else { return }
            self.failed(context: context, because: "not completed within \(self.timeout.nanoseconds / 1_000_000) ms")
        }
    }

    private func failed(context: ChannelHandlerContext, because reason: String) {
        let peer = context.remoteAddress.map { "\($0)" } ?? "?"
        logger.warning("TLS handshake failed on \(listener) from \(peer): \(reason)")
        failures.increment()
        context.close(promise: nil)
    }
}
