import AMQPServer
import AMQPWire
import Broker
import Foundation
import Logging
import Metrics
import Redis
import ServiceLifecycle

/// Mirrors log entries into Redis: counters, per-minute rates, recent-entry lists and per-host
/// state. It consumes the durable queue `warren.redis-bridge` inside the process, writes each
/// burst of deliveries as one MULTI/EXEC pipeline, and acknowledges the deliveries only after Redis
/// has answered, so an unreachable, restarting or slow Redis delays entries but loses none, and
/// never slows log intake (the queue absorbs the difference).
public final class RedisBridge: Service {
    private let configuration: RedisBridgeConfiguration
    private let runtime: BrokerRuntime
    private let redis: RedisClient
    private let logger: Logger
    private let instance = UUID().uuidString.prefix(8)
    private let entriesCounter = Counter(label: "warren_redis_bridge_entries_total")
    private let errorsCounter = Counter(label: "warren_redis_bridge_errors_total")
    private let lagGauge = Gauge(label: "warren_redis_bridge_lag_messages")
    private let overflowCounter = Counter(label: "warren_redis_bridge_names_overflowed_total")

    public init(configuration: RedisBridgeConfiguration, runtime: BrokerRuntime, logger: Logger) {
        self.configuration = configuration
        self.runtime = runtime
        self.redis = RedisClient(url: configuration.url)
        self.logger = logger
    }

    public func run() async throws {
        let connection = InProcessConnection(runtime: runtime, vhost: configuration.vhost, user: "warren-redis-bridge")
        connection.send(subscribeCommands())
        logger.info("redis bridge: \(configuration.patterns) on '\(configuration.exchange)' → \(configuration.url)")
        var caps = BridgeKeyCaps(maxRoutingKeys: configuration.maxRoutingKeys, maxHosts: configuration.maxHosts)
        var writer = BatchWriter(redis: redis, logger: logger, instance: String(instance), recentLimit: configuration.recentLimit,
                                 errors: errorsCounter)
        await withGracefulShutdownHandler {
            for await burst in connection.outbound {
                var entries: [BridgeEntry] = []
                var lastTag: UInt64 = 0
                for item in burst {
                    switch item {
                    case .content(_, .basicDeliver(let deliver), _, let body):
                        var entry = BridgeEntry(routingKey: deliver.routingKey, body: Array(body.readableBytesView), now: Date())
                        let overflowed = caps.apply(to: &entry)
                        if overflowed > 0 { overflowCounter.increment(by: overflowed) }
                        entries.append(entry)
                        lastTag = deliver.deliveryTag
                    case .closeChannel(_, let error), .closeConnection(let error):
                        logger.error("redis bridge: the broker refused the bridge's subscription: \(error.text)")
                        connection.close()
                    default:
                        continue
                    }
                }
                guard !entries.isEmpty else { continue }
                guard await writer.write(entries) else { break }  // cancelled while Redis was away
                connection.send([.method(1, .basicAck(BasicAck(deliveryTag: lastTag, multiple: true)))])
                entriesCounter.increment(by: entries.count)
                await reportLag()
            }
        } onGracefulShutdown: {
            connection.close()
        }
        connection.close()
    }

    /// Declares the bridge queue (capped with a parking queue when `maxBacklog` is set), binds
    /// it to every pattern, and consumes it with manual acks.
    private func subscribeCommands() -> [BrokerCommand] {
        let queue = RedisBridgeConfiguration.queueName
        var commands: [BrokerCommand] = [.channelOpened(1)]
        var arguments: FieldTable = [:]
        if let cap = configuration.maxBacklog {
            let parked = RedisBridgeConfiguration.parkedName
            commands.append(.method(1, .exchangeDeclare(ExchangeDeclare(exchange: parked, type: "fanout", durable: true))))
            commands.append(.method(1, .queueDeclare(QueueDeclare(queue: parked, durable: true))))
            commands.append(.method(1, .queueBind(QueueBind(queue: parked, exchange: parked))))
            arguments = ["x-max-length": .int64(Int64(cap)), "x-overflow": .longString("reject-publish-dlx"),
                         "x-dead-letter-exchange": .longString(parked)]
        }
        commands.append(.method(1, .queueDeclare(QueueDeclare(queue: queue, durable: true, arguments: arguments))))
        for pattern in configuration.patterns {
            commands.append(.method(1, .queueBind(QueueBind(queue: queue, exchange: configuration.exchange, routingKey: pattern))))
        }
        commands.append(.method(1, .basicQos(BasicQos(prefetchCount: UInt16(clamping: max(1, configuration.batchLimit))))))
        commands.append(.method(1, .basicConsume(BasicConsume(queue: queue, consumerTag: "redis-bridge"))))
        return commands
    }

    /// Entries waiting in the bridge queue (ready, not yet handed to the bridge).
    private func reportLag() async {
        let vhost = configuration.vhost
        let waiting = try? await runtime.withBrokerResult { broker in
            broker.vhost(vhost)?.queues[RedisBridgeConfiguration.queueName]?.messageCount ?? 0
        }
        lagGauge.record(waiting ?? 0)
    }
}
