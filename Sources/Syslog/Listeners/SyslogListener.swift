import AMQPServer
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The syslog listeners (UDP and TCP on one address) as a service.
public struct SyslogListener: Service, CustomStringConvertible {
    private let configuration: SyslogListenerConfiguration
    private let runtime: BrokerRuntime
    private let group: any EventLoopGroup
    private let logger: Logger
    /// nil for a side whose port is 0 (so no metric claims a listener that does not exist).
    public let udpCounters: SyslogCounters?
    public let tcpCounters: SyslogCounters?
    /// The TCP side's connection slots (`max_connections`); nil when its port is 0.
    private let tcpSlots: SyslogConnectionSlots?

    public init(configuration: SyslogListenerConfiguration, runtime: BrokerRuntime,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.configuration = configuration
        self.runtime = runtime
        self.group = group
        self.logger = logger
        udpCounters = configuration.udpPort == 0 ? nil
            : SyslogCounters(listener: configuration.listenerName(protocol: "udp", port: configuration.udpPort))
        let tcpListener = configuration.listenerName(protocol: configuration.streamProtocol, port: configuration.tcpPort)
        tcpCounters = configuration.tcpPort == 0 ? nil : SyslogCounters(listener: tcpListener)
        tcpSlots = configuration.tcpPort == 0 ? nil : SyslogConnectionSlots(listener: tcpListener, limit: configuration.maxConnections)
    }

    public var description: String {
        "SyslogListener(\(configuration.host) udp \(configuration.udpPort) \(configuration.streamProtocol) \(configuration.tcpPort))"
    }

    public func run() async throws {
        var channels: [any Channel] = []
        if let udpCounters {
            let udp = try await bindUDP(counting: udpCounters)
            channels.append(udp)
            logger.info("syslog UDP listener ready on \(configuration.host):\(udp.localAddress?.port ?? configuration.udpPort)")
        }
        if let tcpCounters, let tcpSlots {
            let tcp = try await bindTCP(counting: tcpCounters, slots: tcpSlots)
            channels.append(tcp)
            logger.info("syslog \(configuration.streamProtocol.uppercased()) listener ready on \(configuration.host):\(tcp.localAddress?.port ?? configuration.tcpPort)")
        }
        try? await gracefulShutdown()
        for channel in channels { try? await channel.close() }
        for counters in [udpCounters, tcpCounters].compactMap({ $0 }) {
            logger.info("syslog \(counters.listener) stopped: \(counters.summary)")
        }
    }

    private func bindUDP(counting counters: SyslogCounters) async throws -> any Channel {
        let configuration = self.configuration
        let runtime = self.runtime
        do {
            return try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // Datagrams up to 65,535 bytes arrive whole (NIO's default receive buffer is 2 KiB).
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelOption(.socketOption(.so_rcvbuf), value: 4 * 1024 * 1024)
                // Up to 64 datagrams per wake-up: fewer trips through epoll, bigger batches to the broker.
                .channelOption(.maxMessagesPerRead, value: 64)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            SyslogUDPHandler(configuration: configuration, runtime: runtime, counters: counters))
                    }
                }
                .bind(host: configuration.host, port: configuration.udpPort).get()
        } catch {
            throw ListenerBindError(listener: "syslog UDP", host: configuration.host, port: configuration.udpPort, underlying: error)
        }
    }

    private func bindTCP(counting counters: SyslogCounters, slots: SyslogConnectionSlots) async throws -> any Channel {
        let configuration = self.configuration
        let runtime = self.runtime
        let logger = self.logger
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // The handler takes a connection slot at accept, so max_connections bounds handshakes too.
                        try configuration.tls?.addServerHandlers(to: channel, logger: logger)
                        try channel.pipeline.syncOperations.addHandler(
                            SyslogTCPHandler(configuration: configuration, runtime: runtime, counters: counters, slots: slots,
                                         logger: logger))
                    }
                }
                .bind(host: configuration.host, port: configuration.tcpPort).get()
        } catch {
            throw ListenerBindError(listener: "syslog \(configuration.streamProtocol.uppercased())", host: configuration.host,
                                    port: configuration.tcpPort, underlying: error)
        }
    }
}
