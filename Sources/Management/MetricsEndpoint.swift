import AMQPServer
import Broker
import Hummingbird
import NIOConcurrencyHelpers
import Prometheus

/// `GET /metrics` in Prometheus' text format: whatever swift-metrics recorded (syslog, Redis
/// bridge) plus the broker's state, read when scraped.
struct MetricsEndpoint: Sendable {
    let registry: PrometheusCollectorRegistry
    let runtime: BrokerRuntime
    /// The vhost totals at the previous scrape: counters advance by the difference.
    private let scraped = NIOLockedValueBox<[String: MessageCounts]>([:])

    init(registry: PrometheusCollectorRegistry, runtime: BrokerRuntime) {
        self.registry = registry
        self.runtime = runtime
    }

    func response() async throws -> Response {
        let queues = try await runtime.withBrokerResult { $0.queueSnapshots() }
        let connections = try await runtime.withBrokerResult { $0.connectionSnapshots() }
        for queue in queues {
            let labels = [("vhost", queue.vhost), ("queue", queue.name)]
            gauge("warren_queue_messages_ready", "Ready messages per queue", labels).set(to: Double(queue.messagesReady))
            gauge("warren_queue_messages_unacknowledged", "Delivered, unacknowledged messages per queue", labels)
                .set(to: Double(queue.messagesUnacknowledged))
            gauge("warren_queue_consumers", "Consumers per queue", labels).set(to: Double(queue.consumers))
        }
        gauge("warren_connections", "Open AMQP connections").set(to: Double(connections.count))
        gauge("warren_channels", "Open AMQP channels").set(to: Double(connections.reduce(0) { $0 + $1.channels }))
        gauge("warren_consumers", "AMQP consumers").set(to: Double(connections.reduce(0) { $0 + $1.consumers }))
        let vhostCounts = try await runtime.withBrokerResult { $0.vhostCounts }
        let previous = scraped.withLockedValue { old in
            defer { old = vhostCounts }
            return old
        }
        for (vhost, counts) in vhostCounts {
            let before = previous[vhost] ?? MessageCounts()
            let series: [(String, KeyPath<MessageCounts, Int>)] = [
                ("published", \.published), ("delivered", \.delivered), ("redelivered", \.redelivered),
                ("acked", \.acknowledged), ("returned", \.returned),
            ]
            for (name, path) in series {
                registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "warren_messages_\(name)", unitName: "total",
                                                                      helpText: "Messages \(name) per vhost"),
                                     labels: [("vhost", vhost)])
                    .increment(by: Int64(counts[keyPath: path] - before[keyPath: path]))
            }
        }
        let alarm = runtime.alarm.current
        gauge("warren_memory_alarm", "1 while the memory alarm blocks publishers").set(to: alarm == .memory ? 1 : 0)
        gauge("warren_disk_alarm", "1 while the disk alarm blocks publishers").set(to: alarm == .disk ? 1 : 0)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
