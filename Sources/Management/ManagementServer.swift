import AMQPServer
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The management HTTP listener (RabbitMQ-compatible API and Prometheus metrics) as a service of
/// `warren serve`.
public struct ManagementServer: Service {
    private let application: Application<RouterResponder<ManagementContext>>
    private let streams: OpenStreams

    /// `admission` is the AMQP listener's connection counter (for `/metrics`); at most
    /// `logStream` is the stream a live tail with `since` replays; `maxLiveTailStreams` live-tail streams are open at once; `limits` bound bodies, connections and idling.
    public init(host: String, port: Int, runtime: BrokerRuntime, users: UserDirectory, logExchange: String,
                registry: PrometheusCollectorRegistry, admission: ConnectionAdmission, maxLiveTailStreams: Int,
                limits: HTTPLimits, logStream: String = "logs", logger: Logger) {
        let streams = OpenStreams(limit: maxLiveTailStreams)
        self.streams = streams
        let router = Router(context: ManagementContext.self)
        ManagementAPI(runtime: runtime, auth: Authorization(users: users),
                      metrics: MetricsEndpoint(registry: registry, runtime: runtime, admission: admission, streams: streams),
                      tail: LiveTail(runtime: runtime, exchange: logExchange, stream: logStream, open: streams),
                      maxBodySize: limits.maxBodySize).register(on: router)
        let idleTimeout = TimeAmount.milliseconds(Int64(limits.idleTimeoutMilliseconds))
        application = Application(router: router, server: .http1(configuration: .init(idleTimeout: idleTimeout)),
                                  configuration: .init(address: .hostname(host, port: port), serverName: "warren",
                                                       availableConnectionsDelegate: .maximum(limits.maxConnections, logger: logger)),
                                  onServerRunning: { _ in logger.info("management HTTP listener ready on \(host):\(port)") },
                                  logger: logger)
    }

    public func run() async throws {
        let streams = streams
        try await withGracefulShutdownHandler {
            try await application.run()
        } onGracefulShutdown: {
            streams.finishAll()  // open live-tail pages would otherwise hold the server up
        }
    }
}
