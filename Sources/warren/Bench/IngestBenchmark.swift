import AMQPClient
import AMQPWire
import Foundation
import Synchronization

/// Syslog ingest, end to end: a consumer bound to `local6.*` on the topic exchange `topic_logs`
/// of `url`, then `SyslogLoadGenerator` sends to `target` (warren's syslog port, or a syslog-ng
/// forwarding to RabbitMQ); entries/s is what the consumer received over the time from the first
/// send to the last receipt. Done when all arrived, or nothing arrived for `idle` (then the rest
/// counts as lost).
struct IngestBenchmark {
    struct Result: Codable {
        var sent: Int
        var received: Int
        var seconds: Double
        var sendSeconds: Double
        var receivedPerSecond: Double { seconds > 0 ? Double(received) / seconds : 0 }
        var lost: Int { sent - received }
    }

    let target: SyslogTarget
    let url: AMQPURL
    let messages: Int
    let size: Int
    let connections: Int
    /// UDP: datagrams per second offered (0: flat out).
    var rate = 0
    var idle = Duration.seconds(5)

    func run() async throws -> Result {
        let connection = try await AMQPClientConnection.connect(to: url)
        let channel = try await connection.openChannel()
        try await channel.call(.exchangeDeclare(ExchangeDeclare(exchange: "topic_logs", type: "topic", durable: true)))
        guard case .queueDeclareOk(let ok) = try await channel.call(.queueDeclare(QueueDeclare(exclusive: true))) else {
            throw BenchError("unexpected reply to queue.declare")
        }
        try await channel.call(.queueBind(QueueBind(queue: ok.queue, exchange: "topic_logs", routingKey: "local6.*")))
        let tally = ReceiptTally()
        try await channel.consume(queue: ok.queue, noAck: true) { _ in tally.receive() }

        let generator = SyslogLoadGenerator(target: target, count: messages, size: size, connections: connections, rate: rate)
        let start = ContinuousClock.now
        let sent = try await Task.detached { try generator.run() }.value
        let sendSeconds = Self.seconds(ContinuousClock.now - start)
        var seen = 0
        var lastProgress = ContinuousClock.now
        while tally.count < sent, ContinuousClock.now - lastProgress < idle {
            try await Task.sleep(for: .milliseconds(20))
            if tally.count != seen {
                seen = tally.count
                lastProgress = .now
            }
        }
        await connection.close()
        let elapsed = tally.lastReceipt.map { Self.seconds($0 - start) } ?? 0
        return Result(sent: sent, received: tally.count, seconds: elapsed, sendSeconds: sendSeconds)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Deliveries counted on the consumer's event loop, read by the waiting task.
private final class ReceiptTally: Sendable {
    private let state = Mutex<(count: Int, last: ContinuousClock.Instant?)>((0, nil))

    func receive() {
        let now = ContinuousClock.now
        state.withLock { $0 = ($0.count + 1, now) }
    }

    var count: Int { state.withLock { $0.count } }
    var lastReceipt: ContinuousClock.Instant? { state.withLock { $0.last } }
}
