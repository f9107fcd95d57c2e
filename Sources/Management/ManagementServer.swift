import AMQPServer
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Syslog
import TLS
import Upstream

/// The management HTTP listener (RabbitMQ-compatible API and Prometheus metrics) as a service of
/// `warren serve`.
public struct ManagementServer: Service {
    /// The HTTP listener (port not 0) and the HTTPS one (when configured), serving the same routes.
    private let applications: [Application<RouterResponder<ManagementContext>>]
    private let streams: OpenStreams
    private let sampler: RateSampler

    /// `admission` is the AMQP listener's connection counter (for `/metrics`); at most
    /// `maxLiveTailStreams` live-tail streams are open at once; `limits` bound bodies, connections and idling
    /// (on each listener); `allowedHosts` are the names a request's `Host` may carry besides IP addresses and
    /// `localhost`. `port` 0 turns plain HTTP off; `https` adds a TLS listener. `node` is what `/api/nodes`
    /// and `/api/overview` say of the node; `logStream` is the stream a live tail with `since` replays;
    /// `compare` answers `POST /api/compare` (none: 404); `upstreams` is what `/api/upstreams` lists;
    /// `syslogCounters` are the syslog listeners' (the overview's syslog intake).
    public init(host: String, port: Int, runtime: BrokerRuntime, logExchange: String, allowedHosts: [String],
                registry: PrometheusCollectorRegistry, admission: ConnectionAdmission, maxLiveTailStreams: Int,
                limits: HTTPLimits, https: (port: Int, tls: ServerTLS)? = nil, node: NodeInfo, logStream: String = "logs",
                logger: Logger, compare: CompareRunner? = nil, upstreams: UpstreamRegistry = UpstreamRegistry(names: []),
                syslogCounters: [SyslogCounters] = []) {
        let streams = OpenStreams(limit: maxLiveTailStreams)
        self.streams = streams
        let router = Router(context: ManagementContext.self)
        router.add(middleware: RequestGuard(allowedHosts: Set(allowedHosts.map { $0.lowercased() })))
        let rates = MessageRates()
        let syslog = SyslogIntake(counters: syslogCounters)
        sampler = RateSampler(runtime: runtime, rates: rates, syslog: syslog)
        ManagementAPI(runtime: runtime, auth: Authorization(access: runtime.access),
                      metrics: MetricsEndpoint(registry: registry, runtime: runtime, admission: admission, streams: streams),
                      tail: LiveTail(runtime: runtime, exchange: logExchange, stream: logStream, open: streams), node: node,
                      maxBodySize: limits.maxBodySize, rates: rates, upstreams: upstreams, syslog: syslog).register(on: router)
        if let compare {
            CompareEndpoint(runner: compare, auth: Authorization(access: runtime.access), maxBodySize: limits.maxBodySize).register(on: router)
        }
        let http1 = HTTP1Channel.Configuration(idleTimeout: .milliseconds(Int64(limits.idleTimeoutMilliseconds)))
        func application(port: Int, server: HTTPServerBuilder, name: String) -> Application<RouterResponder<ManagementContext>> {
            Application(router: router, server: server,
                        configuration: .init(address: .hostname(host, port: port), serverName: "warren",
                                             availableConnectionsDelegate: .maximum(limits.maxConnections, logger: logger)),
                        onServerRunning: { _ in
                            let url = "\(name.lowercased())://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
                            logger.info("management \(name) listener ready on \(host):\(port); web console at \(url)")
                        },
                        logger: logger)
        }
        var applications: [Application<RouterResponder<ManagementContext>>] = []
        if port != 0 {
            applications.append(application(port: port, server: .http1(configuration: http1), name: "HTTP"))
        }
        if let https {
            let server = HTTPServerBuilder { responder in
                ReloadableTLSChannel(base: HTTP1Channel(responder: responder, configuration: http1), tls: https.tls)
            }
            applications.append(application(port: https.port, server: server, name: "HTTPS"))
        }
        self.applications = applications
    }

    public func run() async throws {
        let (streams, sampler, applications) = (streams, sampler, applications)
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await sampler.run() }
                try await withThrowingDiscardingTaskGroup { listeners in
                    for application in applications {
                        listeners.addTask { try await application.run() }
                    }
                }
                group.cancelAll()  // the listeners are closed: stop sampling
            }
        } onGracefulShutdown: {
            streams.finishAll()  // open live-tail pages would otherwise hold the server up
        }
    }
}
