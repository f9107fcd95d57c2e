import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// A listener's TLS: its settings and the context new handshakes use. A context is immutable, so a
/// reload builds a new one and swaps it in; connections already open keep the one they started with.
public final class ServerTLS: Sendable {
    public let settings: TLSSettings
    /// Names the listener in logs (`AMQPS 127.0.0.1:5671`).
    public let listener: String
    private let context: NIOLockedValueBox<NIOSSLContext>
    /// `warren_tls_handshake_failures_total{listener}`: failed or timed-out handshakes.
    private let handshakeFailures: Counter

    /// Loads the files; throws when any is missing, unreadable or does not fit.
    public init(settings: TLSSettings, listener: String) throws(TLSSetupError) {
        self.settings = settings
        self.listener = listener
        self.context = NIOLockedValueBox(try settings.makeContext())
        self.handshakeFailures = Counter(label: "warren_tls_handshake_failures_total", dimensions: [("listener", listener)])
    }

    /// Reads the files again; on failure the current context stays and the error is thrown.
    public func reload() throws(TLSSetupError) {
        let fresh = try settings.makeContext()
        context.withLockedValue { $0 = fresh }
    }

    /// Whether clients are asked for a certificate that is verified (and so may log in with it).
    public var verifiesClientCertificates: Bool { settings.verification != .none }

    /// Puts the TLS handler, with the current context, at the front of an accepted connection's
    /// pipeline, followed by the guard that logs a failed handshake and closes that socket.
    public func addServerHandlers(to channel: any Channel, logger: Logger) throws {
        let current = context.withLockedValue { $0 }
        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: current))
        // Clamped to a day, as the config file's range: milliseconds near Int64.max would overflow nanoseconds.
        let timeout = TimeAmount.milliseconds(Int64(min(max(settings.handshakeTimeoutMilliseconds, 1), 86_400_000)))
        try channel.pipeline.syncOperations.addHandler(TLSHandshakeGuard(listener: listener, timeout: timeout,
                                                                           failures: handshakeFailures, logger: logger))
    }
}
