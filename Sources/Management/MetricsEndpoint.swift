import AMQPServer
import Broker
import Hummingbird
import Prometheus

/// `GET /metrics` in Prometheus' text format: whatever swift-metrics recorded (syslog, Redis
/// bridge, store) plus the broker's state and totals, read afresh at each scrape. Broker totals are
/// exported as the absolute values the broker counts, never as differences between scrapes, so
/// any number of concurrent scrapers sees counters that only grow; a deleted queue's series goes.
struct MetricsEndpoint: Sendable {
    let registry: PrometheusCollectorRegistry
    let runtime: BrokerRuntime
    let admission: ConnectionAdmission
    let streams: OpenStreams

    /// The broker's side of a scrape, read in one hop to its loop.
    private struct BrokerState: Sendable {
        var queues: [QueueSnapshot]
        var connections: [ConnectionSnapshot]
        var vhostCounts: [String: MessageCounts]
    }

    func response() async throws -> Response {
        let state = try await runtime.withBrokerResult { broker in
            BrokerState(queues: broker.queueSnapshots(), connections: broker.connectionSnapshots(), vhostCounts: broker.vhostCounts)
        }
        var text = PrometheusText()
        writeQueues(state.queues, to: &text)
        writeConnections(state.connections, to: &text)
        writeMessageTotals(state.vhostCounts, to: &text)
        writeLimits(to: &text)
        let alarm = runtime.alarm.current
        text.family("warren_memory_alarm", .gauge, help: "1 while the memory alarm blocks publishers")
        text.sample("warren_memory_alarm", alarm == .memory ? 1.0 : 0.0)
        text.family("warren_disk_alarm", .gauge, help: "1 while the disk alarm blocks publishers")
        text.sample("warren_disk_alarm", alarm == .disk ? 1.0 : 0.0)
        var body = ByteBuffer(bytes: registry.emitToBuffer())
        body.writeString(text.text)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    private func writeQueues(_ queues: [QueueSnapshot], to text: inout PrometheusText) {
        let series: [(String, String, KeyPath<QueueSnapshot, Int>)] = [
            ("warren_queue_messages_ready", "Ready messages per queue", \.messagesReady),
            ("warren_queue_messages_unacknowledged", "Delivered, unacknowledged messages per queue", \.messagesUnacknowledged),
            ("warren_queue_consumers", "Consumers per queue", \.consumers),
        ]
        for (name, help, path) in series {
            text.family(name, .gauge, help: help)
            for queue in queues {
                text.sample(name, [("vhost", queue.vhost), ("queue", queue.name)], Double(queue[keyPath: path]))
            }
        }
    }

    private func writeConnections(_ connections: [ConnectionSnapshot], to text: inout PrometheusText) {
        text.family("warren_connections", .gauge, help: "Open AMQP connections")
        text.sample("warren_connections", Double(connections.count))
        text.family("warren_channels", .gauge, help: "Open AMQP channels")
        text.sample("warren_channels", Double(connections.reduce(0) { $0 + $1.channels }))
        text.family("warren_consumers", .gauge, help: "AMQP consumers")
        text.sample("warren_consumers", Double(connections.reduce(0) { $0 + $1.consumers }))
    }

    private func writeMessageTotals(_ counts: [String: MessageCounts], to text: inout PrometheusText) {
        let series: [(String, KeyPath<MessageCounts, Int>)] = [
            ("published", \.published), ("delivered", \.delivered), ("redelivered", \.redelivered),
            ("acked", \.acknowledged), ("returned", \.returned),
        ]
        for (name, path) in series {
            let family = "warren_messages_\(name)_total"
            text.family(family, .counter, help: "Messages \(name) per vhost")
            for (vhost, vhostCounts) in counts.sorted(by: { $0.key < $1.key }) {
                text.sample(family, [("vhost", vhost)], vhostCounts[keyPath: path])
            }
        }
    }

    private func writeLimits(to text: inout PrometheusText) {
        let connections = admission.current
        text.family("warren_connections_refused_total", .counter, help: "AMQP connections refused, by the limit that refused them")
        text.sample("warren_connections_refused_total", [("limit", "connection_max")], connections.refusedSockets)
        text.sample("warren_connections_refused_total", [("limit", "vhost_max_connections")], connections.refusedByVhost)
        text.family("warren_handshake_timeouts_total", .counter, help: "AMQP connections closed by handshake_timeout before connection.open")
        text.sample("warren_handshake_timeouts_total", connections.handshakeTimeouts)
        let tails = streams.counts
        text.family("warren_live_tail_streams", .gauge, help: "Live-tail event streams open")
        text.sample("warren_live_tail_streams", Double(tails.open))
        text.family("warren_live_tail_streams_refused_total", .counter, help: "Live-tail streams refused by max_live_tail_streams")
        text.sample("warren_live_tail_streams_refused_total", tails.refused)
    }
}
