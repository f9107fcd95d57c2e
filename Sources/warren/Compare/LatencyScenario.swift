import AMQPClient
import AMQPWire
import NIOCore
import Redis

/// One hop's latency at fixed send rates, open loop: each message carries the time it was due to
/// be sent, and the consumer in the same process subtracts it from its arrival time.
enum LatencyScenario: CompareScenario {
    static let name = "latency"
    static let title = "latency at fixed rates, open loop"

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        var rows: [ComparisonRow] = []
        let options = context.options
        let how = "open loop for \(options.latencySeconds) s, \(options.size) B messages, each stamped with the time it was due (no coordinated omission); latency = arrival at the consumer − due time, in an HdrHistogram (3 digits); same process, same clock; "
        for rate in options.rates {
            context.progress("\(name): \(rate) msg/s")
            let sender = OpenLoopSender(rate: rate, seconds: options.latencySeconds)
            let redis = try await redisList(context, sender: sender)
            rows.append(row("Redis list, LPUSH → BLMPOP, \(rate) msg/s", redis, sent: sender.total,
                            how: how + "the producer pipelines the messages due, the consumer BLMPOPs up to \(options.depth) at a time; no persistence, popped = gone (at most once)"))
            let amqp = try await amqpQueue(context, sender: sender)
            rows.append(row("AMQP classic queue, publish → consume (no-ack), \(rate) msg/s", amqp, sent: sender.total,
                            how: how + "the publisher writes the messages due in one flush, no confirms; the consumer is pushed deliveries with no-ack (at most once, like BLMPOP); transient messages, non-durable queue"))
        }
        return report(verdict: """
            Redis wins on a single in-memory hop: a list push and a blocking pop take less work than routing, \
            queueing and delivering an AMQP message. Both stay well under a millisecond at moderate rates on an \
            idle machine; look at p99.9 and at whether the achieved send rate kept up, not only at p50. With \
            durability (AOF always, or persistent messages with confirms) each write waits for an fsync on both sides.
            """, rows: rows)
    }

    struct Outcome {
        var recorder: LatencyRecorder
        var achievedRate: Double
    }

    private static func row(_ system: String, _ outcome: Outcome, sent: Int, how: String) -> ComparisonRow {
        let p = outcome.recorder.percentiles
        let received = outcome.recorder.count
        return ComparisonRow(system: system,
                             result: "p50 \(format(p.p50)), p99 \(format(p.p99)), p99.9 \(format(p.p999)), max \(format(p.max)); \(received) of \(sent) received, sent at \(Spread.grouped(outcome.achievedRate)) msg/s",
                             numbers: ["p50_ms": p.p50, "p99_ms": p.p99, "p999_ms": p.p999, "max_ms": p.max, "received": Double(received),
                                       "sent": Double(sent), "achieved_rate": outcome.achievedRate.rounded()],
                             how: how)
    }

    private static func format(_ milliseconds: Double) -> String {
        milliseconds < 1 ? "\(Int((milliseconds * 1000).rounded())) µs" : String(format: "%.2f ms", milliseconds)
    }

    /// How long the consumer waits for stragglers after the last send is due.
    static let grace: Duration = .seconds(10)

    private static func redisList(_ context: CompareContext, sender: OpenLoopSender) async throws -> Outcome {
        let recorder = LatencyRecorder()
        let producer = context.redisClient()
        let consumer = context.redisClient()
        let list = try await context.freshKeys("latency", on: producer)[0]
        let (size, depth, total) = (context.options.size, String(context.options.depth), sender.total)
        let giveUp = MessageStamp.now() + UInt64(context.options.latencySeconds * 1e9) + UInt64(grace.components.seconds) * 1_000_000_000
        async let consumed: Void = pop(list, with: consumer, depth: depth, into: recorder, total: total, until: giveUp)
        let achieved = try await sender.run { stamps in
            for reply in try await producer.pipeline(stamps.map { ["LPUSH", list, MessageStamp.body(stamp: $0, size: size)] }) {
                if case .error(let text) = reply { throw CompareError("\(name): \(text)") }
            }
        }
        try await consumed
        try await producer.command("DEL", list)
        return Outcome(recorder: recorder, achievedRate: achieved)
    }

    /// BLMPOPs up to `depth` items at a time, on the consumer client's own thread, until `total` arrived or the clock passed `giveUp`.
    private static func pop(_ list: String, with consumer: RedisClient, depth: String, into recorder: LatencyRecorder,
                            total: Int, until giveUp: UInt64) async throws {
        try await consumer.withConnection { connection in
            while recorder.count < total, MessageStamp.now() < giveUp {
                let reply = try connection.pipeline([["BLMPOP", "1", "1", list, "RIGHT", "COUNT", depth]])[0]
                let time = MessageStamp.now()
                if case .error(let text) = reply { throw CompareError("\(name): \(text)") }
                for case .bulk(let bytes) in reply.array?.last?.array ?? [] { recorder.record(bytes, at: time) }
            }
        }
    }

    private static func amqpQueue(_ context: CompareContext, sender: OpenLoopSender) async throws -> Outcome {
        let recorder = LatencyRecorder()
        let connection = try await context.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let queue = try await context.freshQueue("latency", on: channel)
        let consumer = try await context.connect()
        defer { Task { await consumer.close() } }
        try await consumer.openChannel().consume(queue: queue, noAck: true) { delivery in
            recorder.record(delivery.body.readableBytesView, at: MessageStamp.now())
        }
        let size = context.options.size
        let achieved = try await sender.run { stamps in
            try await channel.publish(stamps.map {
                OutgoingMessage(exchange: "", routingKey: queue, properties: BasicProperties(), body: ByteBuffer(string: MessageStamp.body(stamp: $0, size: size)))
            })
        }
        await recorder.wait(for: sender.total, timeout: grace)
        try await channel.call(.queueDelete(QueueDelete(queue: queue)))
        return Outcome(recorder: recorder, achievedRate: achieved)
    }
}
