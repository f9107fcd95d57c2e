import AMQPClient
import AMQPWire
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Redis

/// Scenario 4: moving N messages of 200 bytes from producers to consumers, msg/s and latency.
enum ThroughputScenario {
    static let name = "4 throughput and latency"
    static let payloadSize = 200

    static func run(_ context: CompareContext, messages: Int) async throws -> [ComparisonRow] {
        var rows: [ComparisonRow] = []
        for clients in [1, 4] {
            let redis = try await redisRun(context, messages: messages, clients: clients)
            rows.append(row(system: "Redis LPUSH/BRPOP, \(clients) producer(s) + \(clients) consumer(s)", result: redis,
                            how: "\(messages) × \(payloadSize) B; producers pipeline LPUSH 100 at a time, consumers BRPOP one at a time; latency = BRPOP time − time written in the payload (producers run ahead, so it includes the backlog)"))
            let amqp = try await amqpRun(context, messages: messages, clients: clients)
            rows.append(row(system: "AMQP publish/consume, \(clients) publisher(s) + \(clients) consumer(s)", result: amqp,
                            how: "\(messages) × \(payloadSize) B to one queue; publishers send confirmed batches of 100 (as the LPUSH pipelines wait for their replies), consumers with prefetch 1000 and manual ack every 100; latency = delivery time − time written in the payload"))
        }
        return rows
    }

    private static func row(system: String, result: Measurement, how: String) -> ComparisonRow {
        ComparisonRow(scenario: name, system: system,
                      result: "\(Int(result.perSecond)) msg/s, p50 \(format(result.p50)), p99 \(format(result.p99))",
                      numbers: ["msg_per_s": result.perSecond.rounded(), "p50_ms": result.p50 * 1000, "p99_ms": result.p99 * 1000],
                      how: how)
    }

    private static func format(_ seconds: Double) -> String {
        seconds < 0.001 ? String(format: "%.0f µs", seconds * 1_000_000) : String(format: "%.1f ms", seconds * 1000)
    }

    struct Measurement {
        var perSecond: Double
        var p50: Double
        var p99: Double

        init(latencies: [UInt64], elapsed: UInt64) {
            let sorted = latencies.sorted()
            perSecond = Double(sorted.count) / (Double(elapsed) / 1e9)
            p50 = sorted.isEmpty ? 0 : Double(sorted[sorted.count / 2]) / 1e9
            p99 = sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1e9
        }
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// A payload of `payloadSize` bytes starting with the send time in nanoseconds.
    static func payload() -> String {
        let stamp = String(now())
        return stamp + "|" + String(repeating: "x", count: max(0, payloadSize - stamp.count - 1))
    }

    static func latency(of body: String, at time: UInt64) -> UInt64 {
        guard let stamp = body.split(separator: "|").first.flatMap({ UInt64($0) }) else { return 0 }
        return time &- stamp
    }

    private static func redisRun(_ context: CompareContext, messages: Int, clients: Int) async throws -> Measurement {
        let list = context.key("throughput-\(clients)")
        try await context.redisClient().command("DEL", list)
        let received = NIOLockedValueBox<[UInt64]>([])
        let start = now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<clients {
                group.addTask {
                    let client = RedisClient(url: context.redis)
                    let share = messages / clients + (producer < messages % clients ? 1 : 0)
                    for offset in stride(from: 0, to: share, by: 100) {
                        _ = try await client.pipeline((offset..<min(offset + 100, share)).map { _ in ["LPUSH", list, payload()] })
                    }
                }
            }
            for _ in 0..<clients {
                group.addTask {
                    let client = RedisClient(url: context.redis)
                    while received.withLockedValue({ $0.count }) < messages {
                        let reply = try await client.command("BRPOP", list, "0.2")
                        guard let pair = reply.array, pair.count == 2, let body = pair[1].string else { continue }
                        let time = now()
                        received.withLockedValue { $0.append(latency(of: body, at: time)) }
                    }
                }
            }
            try await group.waitForAll()
        }
        return Measurement(latencies: received.withLockedValue { $0 }, elapsed: now() - start)
    }

    private static func amqpRun(_ context: CompareContext, messages: Int, clients: Int) async throws -> Measurement {
        let setup = try await context.connect()
        let queue = try await context.freshQueue("throughput-\(clients)", on: try await setup.openChannel())
        let received = NIOLockedValueBox<[UInt64]>([])
        let (done, finished) = AsyncStream<Void>.makeStream()
        var consumers: [AMQPClientConnection] = []
        for _ in 0..<clients {
            let connection = try await context.connect()
            consumers.append(connection)
            let channel = try await connection.openChannel()
            _ = try await channel.call(.basicQos(BasicQos(prefetchCount: 1000)))
            try await channel.consume(queue: queue, noAck: false) { delivery in
                let time = now()
                let count = received.withLockedValue {
                    $0.append(latency(of: String(buffer: delivery.body), at: time))
                    return $0.count
                }
                if delivery.deliveryTag % 100 == 0 {
                    Task { try? await channel.ack(delivery.deliveryTag, multiple: true) }
                }
                if count == messages { finished.yield() }
            }
        }
        let start = now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<clients {
                group.addTask {
                    let connection = try await context.connect()
                    let publisher = try await ConfirmedPublishChannel.open(on: connection)
                    let share = messages / clients + (producer < messages % clients ? 1 : 0)
                    for offset in stride(from: 0, to: share, by: 100) {
                        _ = try await publisher.publish((offset..<min(offset + 100, share)).map { _ in
                            OutgoingMessage(exchange: "", routingKey: queue, properties: BasicProperties(), body: ByteBuffer(string: payload()))
                        })
                    }
                    await connection.close()
                }
            }
            try await group.waitForAll()
        }
        for await _ in done { break }
        let elapsed = now() - start
        for connection in consumers { await connection.close() }
        await setup.close()
        return Measurement(latencies: received.withLockedValue { $0 }, elapsed: elapsed)
    }
}
