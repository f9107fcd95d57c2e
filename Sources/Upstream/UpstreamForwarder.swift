import AMQPClient
import AMQPServer
import Logging
import ServiceLifecycle

/// Forwards one upstream: declares its local queue, then connects to the upstream's nodes in turn
/// and runs a session on the first that answers; when the connection fails it tries the next node
/// at once, and after a full round of failures waits (`ReconnectBackoff`) before the next round.
/// Log intake never waits for it: entries wait in the local durable queue.
public struct UpstreamForwarder: Service {
    private let configuration: UpstreamConfiguration
    private let runtime: BrokerRuntime
    private let registry: UpstreamRegistry
    private let nodeName: String
    private let logger: Logger
    private let metrics: UpstreamMetrics
    /// The heartbeat asked of upstream nodes: a node silent for twice this long is given up on.
    static let heartbeatSeconds: UInt16 = 30

    /// `nodeName` is written into every forwarded message's `x-warren-node` header.
    public init(configuration: UpstreamConfiguration, runtime: BrokerRuntime, registry: UpstreamRegistry, nodeName: String, logger: Logger) {
        self.configuration = configuration
        self.runtime = runtime
        self.registry = registry
        self.nodeName = nodeName
        self.logger = logger
        metrics = UpstreamMetrics(name: configuration.name)
    }

    /// Declares the local queues and bindings; `warren serve` calls it before any listener opens,
    /// so no entry collected from the start is missed.
    public func declareLocalQueues() async throws {
        try await UpstreamTopology(configuration: configuration).declareLocally(runtime: runtime)
    }

    public func run() async throws {
        let names = configuration.nodes.map { "\($0.host):\($0.port)" }
        logger.info("upstream '\(configuration.name)': forwarding \(configuration.patterns) on '\(configuration.exchange)' through \(configuration.queueName) to \(names.joined(separator: ","))")
        let sampler = UpstreamSampler(configuration: configuration, runtime: runtime, registry: registry, metrics: metrics, logger: logger)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await sampler.run() }
                group.addTask { await forward() }
                await group.next()
                group.cancelAll()
            }
        }
        metrics.connected.record(0)
    }

    /// Connects and forwards until cancelled.
    private func forward() async {
        var backoff = ReconnectBackoff(minimumMilliseconds: configuration.reconnectMinMilliseconds,
                                       maximumMilliseconds: configuration.reconnectMaxMilliseconds)
        var next = 0
        var lastConnected: String?
        var failedInRound = 0
        while !Task.isCancelled {
            let url = configuration.nodes[next]
            let node = "\(url.host):\(url.port)"
            next = (next + 1) % configuration.nodes.count
            registry.update(configuration.name) { $0.state = .connecting }
            do {
                try await attempt(url, node: node, lastConnected: &lastConnected) {
                    failedInRound = 0
                    backoff.reset()
                }
                return  // cancelled
            } catch {
                guard !Task.isCancelled else { return }
                record(error, node: node)
            }
            failedInRound += 1
            guard failedInRound >= configuration.nodes.count else { continue }
            failedInRound = 0
            let delay = backoff.nextDelay(random: Double.random(in: 0..<1))
            registry.update(configuration.name) { $0.state = .down }
            logger.warning("upstream '\(configuration.name)': no node answers; next round in \(delay) ms")
            do {
                try await Task.sleep(for: .milliseconds(delay))
            } catch {
                return
            }
        }
    }

    /// Connects to one node, declares the upstream side and forwards until the connection fails
    /// (throws) or the task is cancelled; `connected` runs once the node answered.
    private func attempt(_ url: AMQPURL, node: String, lastConnected: inout String?, connected: () -> Void) async throws {
        let connection = try await AMQPClientConnection.connect(to: url, heartbeat: Self.heartbeatSeconds)
        do {
            try await UpstreamTopology(configuration: configuration).declareUpstream(on: connection)
            if let previous = lastConnected, previous != node {
                logger.warning("upstream '\(configuration.name)': failed over from \(previous) to \(node)")
                registry.update(configuration.name) { $0.failovers += 1 }
                metrics.failovers.increment()
            } else {
                logger.info("upstream '\(configuration.name)': connected to \(node)")
            }
            lastConnected = node
            connected()
            registry.update(configuration.name) { status in
                status.node = node
                status.state = .running
            }
            metrics.connected.record(1)
            try await session().run(connection: connection)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    private func session() -> UpstreamSession {
        UpstreamSession(configuration: configuration, runtime: runtime, registry: registry, metrics: metrics, nodeName: nodeName, logger: logger)
    }

    private func record(_ error: any Error, node: String) {
        let text = "\(node): \(error)"
        logger.warning("upstream '\(configuration.name)': \(text)")
        registry.update(configuration.name) { status in
            status.node = nil
            status.state = .connecting
            status.confirmsOutstanding = 0
            status.lastError = text
            status.lastErrorAt = UpstreamClock.now()
        }
        metrics.connected.record(0)
        metrics.confirmsOutstanding.record(0)
    }
}
