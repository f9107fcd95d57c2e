import AMQPClient
import AMQPWire
import NIOConcurrencyHelpers
import NIOCore
import Redis

/// The consumer stalls while the producer goes on: what happens to the server's memory and to
/// the producer? Both sides get their own server with the same memory budget.
enum SlowConsumerScenario: CompareScenario {
    static let name = "slow-consumer"
    static let title = "a stalled consumer: memory and the producer"
    static let messageSize = 1024
    /// How long the AMQP producer may wait for confirms before it counts as blocked.
    static let blockedAfter: Duration = .seconds(60)

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        let budget = context.options.memoryMiB * 1_048_576
        let offered = 2 * budget / messageSize
        let noEviction = try await redisFills(context, policy: "noeviction", offered: offered)
        let lru = try await redisFills(context, policy: "allkeys-lru", offered: offered)
        let amqp = try await amqpFills(context, offered: offered)
        let mib = context.options.memoryMiB
        let rows = [
            ComparisonRow(system: "Redis list, maxmemory \(mib) MiB, noeviction",
                          result: "accepted \(noEviction.accepted) of \(offered); then the producer got errors (\(noEviction.firstError ?? "none")); \(rss(noEviction))",
                          numbers: noEviction.numbers, how: redisHow(policy: "noeviction", offered: offered)),
            ComparisonRow(system: "Redis list, maxmemory \(mib) MiB, allkeys-lru",
                          result: "accepted \(lru.accepted) of \(offered) without an error, but \(lru.kept) are still there: eviction dropped the rest in silence; \(rss(lru))",
                          numbers: lru.numbers, how: redisHow(policy: "allkeys-lru", offered: offered)),
            ComparisonRow(system: "AMQP classic queue, queue memory limit \(mib) MiB",
                          result: amqp.firstError.map { "confirmed \(amqp.accepted) of \(offered), then the producer was held back (\($0)); \(rss(amqp))" }
                              ?? "confirmed \(amqp.accepted) of \(offered), \(amqp.kept) queued; bodies past the limit paged to disk; \(rss(amqp))",
                          numbers: amqp.numbers,
                          how: "a private warren with queue_memory_limit_bytes = \(mib) MiB; a consumer with prefetch 10 that never acks; \(offered) × \(messageSize) B confirmed publishes in batches of \(context.options.depth); message_count and the VmRSS of the warren process"),
        ]
        return report(verdict: """
            With maxmemory and noeviction Redis refuses writes once full (the producer gets OOM errors and \
            must cope); with an eviction policy it accepts them and drops keys in silence — whole queues. \
            Without maxmemory it grows until the kernel kills it. An AMQP broker keeps accepting: it pages \
            queued bodies to disk past the queue's memory limit and, at its memory or disk alarm, blocks \
            publishers (flow control) rather than losing or refusing messages.
            """, rows: rows)
    }

    struct Outcome {
        var accepted = 0
        var kept = 0
        var rss = 0
        var rssBefore = 0
        var firstError: String?

        var numbers: [String: Double] {
            ["accepted": Double(accepted), "kept": Double(kept), "lost": Double(accepted - kept), "rss_bytes": Double(rss),
             "rss_before_bytes": Double(rssBefore), "producer_errors": firstError == nil ? 0 : 1]
        }
    }

    /// "RSS 12 → 44 MiB": the server's resident set before the producer started and at its end.
    private static func rss(_ outcome: Outcome) -> String { "RSS \(outcome.rssBefore / 1_048_576) → \(outcome.rss / 1_048_576) MiB" }

    private static func redisHow(policy: String, offered: Int) -> String {
        "a private redis-server with maxmemory and maxmemory-policy \(policy), nobody consuming; up to \(offered) × \(messageSize) B LPUSH pipelined in batches; LLEN and the VmRSS of the redis-server process"
    }

    private static func redisFills(_ context: CompareContext, policy: String, offered: Int) async throws -> Outcome {
        let server = try PrivateRedis(directory: context.directory + "/redis-\(policy)", persistence: .none,
                                      settings: ["--maxmemory", "\(context.options.memoryMiB)mb", "--maxmemory-policy", policy])
        try await server.start()
        defer { server.stop() }
        var outcome = Outcome(rssBefore: server.process.residentBytes() ?? 0)
        let client = RedisClient(url: server.url, timeoutMilliseconds: 10_000)
        let body = String(repeating: "x", count: messageSize)
        let depth = context.options.depth
        for start in stride(from: 0, to: offered, by: depth) where outcome.firstError == nil {
            for reply in try await client.pipeline((start..<min(start + depth, offered)).map { _ in ["LPUSH", "tasks", body] }) {
                if case .error(let text) = reply {
                    outcome.firstError = outcome.firstError ?? String(text.prefix(80))
                } else {
                    outcome.accepted += 1
                }
            }
        }
        outcome.kept = Int(try await client.command("LLEN", "tasks").integer ?? 0)
        outcome.rss = server.process.residentBytes() ?? 0
        return outcome
    }

    private static func amqpFills(_ context: CompareContext, offered: Int) async throws -> Outcome {
        let budget = context.options.memoryMiB * 1_048_576
        let warren = try PrivateWarren(directory: context.directory + "/warren-slow", configuration: "[limits]\nqueue_memory_limit_bytes = \(budget)\n")
        try await warren.start()
        defer { warren.stop() }
        var outcome = Outcome(rssBefore: warren.process.residentBytes() ?? 0)
        let connection = try await AMQPClientConnection.connect(to: warren.url)
        defer { Task { await connection.close() } }
        let queue = "tasks"
        try await connection.openChannel().call(.queueDeclare(QueueDeclare(queue: queue)))
        let stalled = try await AMQPClientConnection.connect(to: warren.url)
        defer { Task { await stalled.close() } }
        let stalledChannel = try await stalled.openChannel()
        try await stalledChannel.call(.basicQos(BasicQos(prefetchCount: 10)))
        try await stalledChannel.consume(queue: queue, noAck: false) { _ in }  // never acks
        let publisher = try await ConfirmedPublishChannel.open(on: connection)
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: messageSize)
        let depth = context.options.depth
        // A publisher the broker blocks (connection.blocked) waits for confirms that do not come:
        // after `blockedAfter` the publishing connection is closed and the row says so.
        let fired = NIOLockedValueBox(false)
        let watchdog = Task {
            try await Task.sleep(for: blockedAfter)
            fired.withLockedValue { $0 = true }
            await connection.close()
        }
        do {
            for start in stride(from: 0, to: offered, by: depth) {
                let batch = (start..<min(start + depth, offered)).map { _ in
                    OutgoingMessage(exchange: "", routingKey: queue, properties: BasicProperties(), body: body)
                }
                let acks = try await publisher.publish(batch)
                outcome.accepted += acks.filter { $0 }.count
                if acks.contains(false) {
                    outcome.firstError = "basic.nack"
                    break
                }
            }
            watchdog.cancel()
        } catch {
            watchdog.cancel()
            guard fired.withLockedValue({ $0 }) else { throw error }
            outcome.firstError = "no confirm for \(blockedAfter): blocked by flow control"
        }
        let reader = try await AMQPClientConnection.connect(to: warren.url)
        defer { Task { await reader.close() } }
        guard case .queueDeclareOk(let ok) = try await reader.openChannel().call(.queueDeclare(QueueDeclare(queue: queue, passive: true))) else {
            throw CompareError("\(name): the queue is gone")
        }
        outcome.kept = Int(ok.messageCount) + min(10, outcome.accepted)  // ready + what the stalled consumer holds unacked
        outcome.rss = warren.process.residentBytes() ?? 0
        return outcome
    }
}
