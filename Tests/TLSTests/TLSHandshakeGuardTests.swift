import Logging
import Metrics
import NIOCore
import NIOEmbedded
import NIOSSL
import NIOTLS
import Testing

@testable import TLS

/// The guard behind the TLS handler, without sockets: a failed or slow handshake closes the
/// channel; after the handshake errors pass on and the timer is off.
@Suite struct TLSHandshakeGuardTests {
    /// Records errors that get past the guard.
    final class ErrorSink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var errors: [String] = []
        func errorCaught(context: ChannelHandlerContext, error: any Error) { errors.append("\(error)") }
    }

    static func channel(timeout: TimeAmount = .seconds(5)) throws -> (EmbeddedChannel, ErrorSink) {
        let sink = ErrorSink()
        let guardHandler = TLSHandshakeGuard(listener: "test", timeout: timeout, failures: Counter(label: "test_failures"),
                                             logger: Logger(label: "test"))
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([guardHandler, sink])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, sink)
    }

    @Test func anErrorBeforeTheHandshakeClosesTheChannel() throws {
        let (channel, sink) = try Self.channel()
        channel.pipeline.fireErrorCaught(NIOSSLError.handshakeFailed(.sslError([])))
        #expect(!channel.isActive)
        #expect(sink.errors.isEmpty)
    }

    @Test func aHandshakeThatDoesNotFinishInTimeClosesTheChannel() throws {
        let (channel, _) = try Self.channel(timeout: .milliseconds(300))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(299))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test func afterTheHandshakeErrorsPassOnAndTheTimerIsOff() throws {
        let (channel, sink) = try Self.channel(timeout: .milliseconds(300))
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(channel.isActive)
        channel.pipeline.fireErrorCaught(NIOSSLError.uncleanShutdown)
        #expect(sink.errors.count == 1)
        _ = try channel.finish()
    }
}
