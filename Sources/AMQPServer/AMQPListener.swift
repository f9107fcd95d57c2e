import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TLS

/// Where and how the AMQP listener accepts connections.
public struct AMQPListenerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var tuning: Tuning
    public var connectionLimits: ConnectionLimits
    /// Counts connections against `connection_max` and the vhosts' `max-connections`.
    public var admission: ConnectionAdmission
    /// AMQPS: every connection starts with a TLS handshake (nil: plain AMQP).
    public var tls: ServerTLS?
    /// The user name a verified client certificate gives SASL EXTERNAL.
    public var certificateLogin: CertificateLogin

    public init(host: String, port: Int, tuning: Tuning = .rabbitDefaults, connectionLimits: ConnectionLimits = .rabbitDefaults,
                admission: ConnectionAdmission, tls: ServerTLS? = nil, certificateLogin: CertificateLogin = CertificateLogin()) {
        self.host = host
        self.port = port
        self.tuning = tuning
        self.connectionLimits = connectionLimits
        self.admission = admission
        self.tls = tls
        self.certificateLogin = certificateLogin
    }

    /// `AMQP` or `AMQPS`, for logs and errors.
    var name: String { tls == nil ? "AMQP" : "AMQPS" }
}

/// The AMQP 0-9-1 listener as a service: binds, serves until graceful shutdown, then closes
/// every connection with 320 CONNECTION_FORCED and waits for them to go.
public struct AMQPListener: Service {
    /// How long shutdown waits for clients to answer connection.close.
    static let shutdownGrace = TimeAmount.seconds(5)

    private let configuration: AMQPListenerConfiguration
    private let runtime: BrokerRuntime
    private let group: any EventLoopGroup
    private let logger: Logger
    private let registry = ConnectionRegistry()

    public init(configuration: AMQPListenerConfiguration, runtime: BrokerRuntime,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.configuration = configuration
        self.runtime = runtime
        self.group = group
        self.logger = logger
    }

    public func run() async throws {
        let serverChannel = try await bind()
        logger.info("\(configuration.name) listener ready on \(configuration.host):\(serverChannel.localAddress?.port ?? configuration.port)")
        // The alarm is raised by the ResourceMonitor service; publishing connections block on it.
        let registry = self.registry
        let observation = runtime.alarm.observe { kind in
            for connection in registry.all {
                connection.pipeline.fireUserInboundEventTriggered(ResourceAlarmChanged(kind: kind))
            }
        }
        defer { runtime.alarm.stopObserving(observation) }
        try? await gracefulShutdown()
        logger.info("\(configuration.name) listener shutting down: closing \(registry.all.count) connection(s)")
        try? await serverChannel.close()
        await closeConnections()
    }

    private func bind() async throws -> any Channel {
        let configuration = self.configuration
        let registry = self.registry
        let runtime = self.runtime
        let alarm = runtime.alarm
        let logger = self.logger
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelOption(.writeBufferWaterMark, value: runtime.writeBufferWaterMark)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // The handler counts the socket and starts handshake_timeout at accept, so the
                        // TLS handshake is bounded by both.
                        try configuration.tls?.addServerHandlers(to: channel, logger: logger)
                        let verifies = configuration.tls?.verifiesClientCertificates ?? false
                        let handler = AMQPConnectionHandler(
                            access: runtime.access,
                            peerIsLoopback: channel.remoteAddress.map(Self.isLoopback) ?? false,
                            certificateLogin: verifies ? configuration.certificateLogin : nil,
                            tuning: configuration.tuning, limits: configuration.connectionLimits,
                            admission: configuration.admission, registry: registry, runtime: runtime, alarm: alarm, logger: logger)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw ListenerBindError(listener: configuration.name, host: configuration.host, port: configuration.port, underlying: error)
        }
    }

    private func closeConnections() async {
        let connections = registry.all
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(ServerShutdownEvent())
        }
        let deadline = NIODeadline.now() + Self.shutdownGrace
        for connection in connections {
            let timeout = connection.eventLoop.scheduleTask(deadline: deadline) { connection.close(promise: nil) }
            try? await connection.closeFuture.get()
            timeout.cancel()
        }
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4:
            return address.ipAddress?.hasPrefix("127.") ?? false
        case .v6:
            let ip = address.ipAddress ?? ""
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case .unixDomainSocket:
            return true
        }
    }
}

/// A listener could not bind its address; the message names the listener, address and cause.
public struct ListenerBindError: Error, CustomStringConvertible {
    public var listener: String
    public var host: String
    public var port: Int
    public var underlying: any Error

    public init(listener: String, host: String, port: Int, underlying: any Error) {
        self.listener = listener
        self.host = host
        self.port = port
        self.underlying = underlying
    }

    public var description: String {
        let cause = (underlying as? IOError).map { "\($0.description)" } ?? "\(underlying)"
        let reason = cause.lowercased().contains("address already in use") ? "address already in use" : cause
        return "\(listener) listener cannot bind \(host):\(port): \(reason)"
    }
}

extension AMQPListener: CustomStringConvertible {
    /// What ServiceLifecycle logs: the address, never the user directory.
    public var description: String { "AMQPListener(\(configuration.name) \(configuration.host):\(configuration.port))" }
}
