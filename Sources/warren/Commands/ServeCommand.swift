import AMQPServer
import AMQPWire
import ArgumentParser
import Broker
import Foundation
import Logging
import Management
import Metrics
import NIOCore
import Prometheus
import NIOPosix
import RedisBridge
import ServiceLifecycle
import Store
import Syslog
import TLS
import Upstream

/// `warren serve`: runs the listeners until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    /// Where every swift-metrics counter of the process goes; `GET /metrics` renders it.
    static let metricsRegistry = PrometheusCollectorRegistry()

    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the broker and collectors (a port of 0 disables that listener)."
    )

    @Option(help: "Address every listener binds to.") var bind: String?
    @Option(help: "AMQP 0-9-1 port.") var amqpPort: Int?
    @Option(help: "Syslog UDP and TCP port.") var syslogPort: Int?
    @Option(help: "Management HTTP port.") var httpPort: Int?
    @Option(help: "Directory for durable state.") var dataDir: String?
    @Option(help: "Mirror counters and recent entries into this Redis (redis://host:port[/db]).") var redis: String?
    @Option(help: "Forward the log exchange to this RabbitMQ cluster (amqp[s]://user:pass@host1:port1,host2:port2/vhost; repeatable: default, default-2, …).")
    var upstream: [String] = []
    @Option(help: "Declare this quorum queue on every --upstream, bound with '#'.") var upstreamQueue: String?
    @Option(help: "TOML configuration file (flags and WARREN_* variables override it).") var config: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "warren")
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: Self.metricsRegistry))
        do {
            let settings = try resolveSettings()
            try await serve(settings, logger: logger)
        } catch let error as ConfigError {
            logger.critical("\(error.description)")
            throw ExitCode(78)
        } catch let error as ListenerBindError {
            logger.critical("\(error.description)")
            throw ExitCode(1)
        } catch let error as StoreError {
            logger.critical("\(error.description)")
            throw ExitCode(1)
        } catch let error as TLSSetupError {
            logger.critical("\(error.description)")
            // sysexits: EX_NOINPUT for a file that cannot be read, EX_CONFIG for one that does not fit.
            throw ExitCode(error.kind == .unreadable ? 66 : 78)
        }
    }

    private func resolveSettings() throws -> ServeSettings {
        var settings = ServeSettings()
        let environment = ProcessInfo.processInfo.environment
        if let path = config ?? environment["WARREN_CONFIG"] {
            try settings.apply(ConfigFile.load(path: path))
        }
        try settings.apply(environment: environment)
        settings.bind = bind ?? settings.bind
        settings.dataDir = dataDir ?? settings.dataDir
        for (flag, value) in [("--amqp-port", amqpPort), ("--syslog-port", syslogPort), ("--http-port", httpPort)] {
            if let value, !(0...65535).contains(value) {
                throw ConfigError("\(flag) must be between 0 and 65535, got \(value)")
            }
        }
        settings.amqpPort = amqpPort ?? settings.amqpPort
        settings.syslogPort = syslogPort ?? settings.syslogPort
        settings.httpPort = httpPort ?? settings.httpPort
        if let redis { try settings.enableRedisBridge(url: redis, key: "--redis") }
        try settings.applyUpstreamFlags(upstream, queue: upstreamQueue)
        return settings
    }

    private func serve(_ settings: ServeSettings, logger: Logger) async throws {
        let tls = try TLSContexts(settings)
        let store = try await Store.open(directory: settings.dataDir, logger: logger)
        logger.info("data directory \(settings.dataDir) opened")
        let users = try settings.configuredUsers()
        // The broker has a thread of its own: connections (and syslog, HTTP) run on the singleton
        // group's loops, so frame decoding and delivery encoding never queue behind routing.
        let brokerLoop = MultiThreadedEventLoopGroup._makePerpetualGroup(threadNamePrefix: "broker-", numberOfThreads: 1).next()
        let runtime = try await BrokerRuntime.start(on: brokerLoop, vhosts: ["/"] + settings.vhosts,
                                                    outboundWindow: settings.outboundWindow)
        do {
            try await runServices(settings, runtime: runtime, store: store, users: users, tls: tls, logger: logger)
        } catch {
            // A setup error (an upstream refused, definitions not saved) tears the broker down:
            // the store's pending writes finish first, so none answers a broker that is gone.
            do {
                try await flushStore(of: runtime)
            } catch let flushError {
                logger.error("cannot write the store before exiting: \(flushError)")
            }
            throw error
        }
        // Listeners are closed: write what the broker recorded last before the process ends.
        try await flushStore(of: runtime)
        logger.info("warren stopped")
    }

    /// Writes everything the broker recorded; completes once it is on disk and every earlier
    /// callback of the store ran.
    private func flushStore(of runtime: BrokerRuntime) async throws {
        let flushed = try await runtime.withBrokerResult { broker in (broker.persistence as? StorePersistence)?.flush() }
        try await flushed?.get()
    }

    /// Restores the store into the broker, applies the config, and runs every service until a
    /// shutdown signal.
    private func runServices(_ settings: ServeSettings, runtime: BrokerRuntime, store: Store,
                             users: [(account: UserAccount, vhosts: [String]?)], tls: TLSContexts, logger: Logger) async throws {
        // First, whatever else runs: a syslog-only setup is blocked by the memory and disk alarms too.
        var services: [any Service] = [ResourceMonitor(limits: settings.resourceLimits(), runtime: runtime, logger: logger)]
        let saved: EventLoopFuture<DiskOutcome> = try await runtime.withBrokerResult { broker in
            let persistence = try StorePersistence.open(into: broker, store: store, brokerLoop: runtime.eventLoop, logger: logger)
            broker.setLoopbackUsers(Set(settings.loopbackUsers))
            try AccessSeed.apply(users: users, vhosts: settings.vhosts, to: broker)
            broker.declareLogExchange(settings.logExchange)
            try broker.declareLogStream(settings.logStream, exchange: settings.logExchange, logger: logger)
            broker.limits = settings.limits.broker
            broker.publisherCreditHigh = settings.publisherCreditHigh
            for policy in settings.policies {
                do throws(AMQPError) {
                    try broker.setPolicy(policy)
                } catch {
                    throw ConfigError("policies: \(error.text)")
                }
            }
            let pager = try PageFiles(directory: settings.dataDir + "/paging", logger: logger) { [weak persistence] id in
                persistence?.segmentPath(of: id)
            }
            broker.configurePaging(pager, queueMemoryLimit: settings.queueMemoryLimit)
            // Paging is on before the messages come back, so a backlog longer than a queue's
            // memory limit is restored in that much memory (the rest of it on disk).
            try persistence.restoreMessages(into: broker, logger: logger)
            let saved = runtime.eventLoop.makePromise(of: DiskOutcome.self)
            persistence.whenDurable { saved.succeed($0) }
            persistence.commit()
            return saved.futureResult
        }
        // What the config adds (users, permissions, the log stream) is on disk before any listener opens.
        if case .failed(let reason) = try await saved.get() {
            throw ConfigError("cannot save definitions: \(reason)")
        }
        // Each upstream's local queue exists before any listener opens: no early entry misses it.
        let upstreams = UpstreamRegistry(names: settings.upstreams.map(\.name))
        for upstream in settings.upstreams {
            let forwarder = UpstreamForwarder(configuration: upstream, runtime: runtime, registry: upstreams,
                                              nodeName: ProcessInfo.processInfo.hostName, logger: logger)
            do {
                try await forwarder.declareLocalQueues()
            } catch let error as UpstreamConfigError {
                throw ConfigError(error.description)
            }
            services.append(forwarder)
        }
        let admission = settings.limits.connectionAdmission()
        if settings.amqpPort != 0 {
            let listener = AMQPListenerConfiguration(host: settings.bind, port: settings.amqpPort, tuning: settings.tuning,
                                                     connectionLimits: settings.limits.connection, admission: admission)
            services.append(AMQPListener(configuration: listener, runtime: runtime, logger: logger))
        } else {
            logger.info("AMQP listener disabled (port 0)")
        }
        if let amqps = tls.amqps {
            let listener = AMQPListenerConfiguration(host: settings.bind, port: amqps.port, tuning: settings.tuning,
                                                     connectionLimits: settings.limits.connection, admission: admission,
                                                     tls: amqps.tls, certificateLogin: settings.certificateLogin)
            services.append(AMQPListener(configuration: listener, runtime: runtime, logger: logger))
        }
        let syslogListeners = settings.syslogListenerConfigurations(tls: tls.syslog)
            .map { SyslogListener(configuration: $0, runtime: runtime, logger: logger) }
        services.append(contentsOf: syslogListeners as [any Service])
        if syslogListeners.isEmpty { logger.info("syslog listeners disabled (port 0, no [[syslog.listeners]])") }
        if let bridge = settings.redisBridge {
            services.append(RedisBridge(configuration: bridge, runtime: runtime, logger: logger))
        }
        if settings.httpPort == 0 { logger.info("management HTTP listener disabled (port 0)") }
        if settings.httpPort != 0 || tls.https != nil {
            services.append(ManagementServer(host: settings.bind, port: settings.httpPort, runtime: runtime,
                                             logExchange: settings.logExchange, allowedHosts: settings.allowedHosts + [settings.bind],
                                             registry: Self.metricsRegistry, admission: admission,
                                             maxLiveTailStreams: settings.limits.maxLiveTailStreams, limits: settings.limits.http,
                                             https: tls.https.map { ($0.port, $0.tls) }, node: settings.nodeInfo(),
                                             logStream: settings.logStream.name, logger: logger,
                                             compare: CompareAPI.runner, upstreams: upstreams,
                                             syslogCounters: syslogListeners.flatMap { [$0.udpCounters, $0.tcpCounters].compactMap { $0 } }))
        }
        if !tls.all.isEmpty { services.append(TLSReloader(contexts: tls.all, logger: logger)) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
