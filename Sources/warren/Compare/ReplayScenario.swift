import AMQPClient
import AMQPWire
import Redis

/// A subscriber that arrives after the events were sent wants the history.
enum ReplayScenario: CompareScenario {
    static let name = "replay"
    static let title = "a late subscriber wants the history"

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        let count = context.count
        let redis = context.redisClient()
        let keys = try await context.freshKeys("history-stream", "history-list", on: redis)
        _ = try await redis.pipeline((0..<count).map { ["XADD", keys[0], "*", "event", String($0)] })
        let replayed = try await redis.command("XRANGE", keys[0], "-", "+", "COUNT", String(count + 1)).array?.count ?? 0
        let published = try await redis.pipeline((0..<count).map { ["PUBLISH", context.key("history"), "event-\($0)"] })
        let reachedNobody = published.allSatisfy { $0.integer == 0 }
        _ = try await redis.pipeline((0..<count).map { ["LPUSH", keys[1], "event-\($0)"] })
        _ = try await redis.command("RPOP", keys[1], String(count))  // the existing worker takes them
        let leftInList = Int(try await redis.command("LLEN", keys[1]).integer ?? 0)
        let classic = try await classicQueueLateSubscriber(context)
        var rows = [
            ComparisonRow(system: "Redis Stream", result: "the late reader gets all \(replayed) of \(count) with XRANGE (or XREAD from 0)",
                          numbers: ["replayed": Double(replayed), "sent": Double(count)],
                          how: "\(count) XADD, then a new reader XRANGE - +; kept until trimmed (XADD MAXLEN/MINID or XTRIM)"),
            ComparisonRow(system: "Redis pub/sub", result: "the late subscriber gets 0: PUBLISH reached \(reachedNobody ? "nobody" : "someone") and nothing is kept",
                          numbers: ["replayed": 0, "sent": Double(count)],
                          how: "\(count) PUBLISH with no subscriber (every reply 0), then a subscriber arrives: there is nothing to ask for"),
            ComparisonRow(system: "Redis list", result: "the late reader gets \(leftInList): the worker's RPOP removed them",
                          numbers: ["replayed": Double(leftInList), "sent": Double(count)],
                          how: "\(count) LPUSH, the existing worker RPOPs them, the late reader LRANGE 0 -1"),
            ComparisonRow(system: "AMQP classic queue", result: "the late subscriber's new queue gets \(classic): a queue receives from when it is bound",
                          numbers: ["replayed": Double(classic), "sent": Double(count)],
                          how: "a topic exchange with the existing subscriber's queue bound; \(count) confirmed publishes; the late subscriber declares and binds its queue, message_count"),
        ]
        rows.append(try await streamQueueRow(context))
        return report(verdict: """
            Replay needs a log, not a queue: a Redis Stream (XRANGE) and an AMQP stream queue \
            (x-stream-offset) give a late reader the history; pub/sub, a list that was consumed and a \
            classic queue bound afterwards give it nothing.
            """, rows: rows)
    }

    private static func classicQueueLateSubscriber(_ context: CompareContext) async throws -> Int {
        let connection = try await context.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let exchange = context.key("history")
        try await channel.call(.exchangeDeclare(ExchangeDeclare(exchange: exchange, type: "topic", autoDelete: true)))
        let early = try await context.freshQueue("history-early", on: channel)
        try await channel.call(.queueBind(QueueBind(queue: early, exchange: exchange, routingKey: "#")))
        try await context.publishConfirmed((0..<context.count).map { "event-\($0)" }, exchange: exchange, routingKey: "kern.info", on: connection)
        let late = try await context.freshQueue("history-late", on: channel)
        try await channel.call(.queueBind(QueueBind(queue: late, exchange: exchange, routingKey: "#")))
        return try await FanOutScenario.drain(late, on: channel)
    }

    /// The AMQP stream queue row, or "not available" when the broker refuses `x-queue-type: stream`.
    private static func streamQueueRow(_ context: CompareContext) async throws -> ComparisonRow {
        let system = "AMQP stream queue"
        let connection = try await context.connect()
        defer { Task { await connection.close() } }
        let queue = context.key("history-stream")
        do {
            let setup = try await connection.openChannel()
            try await setup.call(.queueDeclare(QueueDeclare(queue: queue, durable: true, arguments: ["x-queue-type": .longString("stream")])))
        } catch {
            return ComparisonRow(system: system, result: "not available in this build (declaring x-queue-type stream failed: \(error))",
                                 numbers: [:], how: "queue.declare with x-queue-type=stream")
        }
        try await context.publishConfirmed((0..<context.count).map { "event-\($0)" }, routingKey: queue, on: connection, persistent: true)
        // The existing subscriber reads everything first and stays connected: a log keeps the
        // messages for the late one, a queue would have handed them to the first only.
        let readers = [try await context.connect(), try await context.connect()]
        defer { Task { for reader in readers { await reader.close() } } }
        let early = try await read(queue, on: readers[0], count: context.count)
        let replayed = try await read(queue, on: readers[1], count: context.count)
        _ = try? await connection.openChannel().call(.queueDelete(QueueDelete(queue: queue)))
        guard replayed == context.count else {
            return ComparisonRow(system: system,
                                 result: "not available in this build: x-queue-type=stream was accepted, but after a first consumer read \(early) the late one got \(replayed) of \(context.count) (the queue did not keep them)",
                                 numbers: ["replayed": Double(replayed), "sent": Double(context.count)],
                                 how: "a durable x-queue-type=stream queue; \(context.count) confirmed publishes; one consumer reads them all, then a new consumer with x-stream-offset=first counts what it receives")
        }
        return ComparisonRow(system: system, result: "the late consumer gets all \(replayed) of \(context.count) from x-stream-offset first, after another consumer had read them",
                             numbers: ["replayed": Double(replayed), "sent": Double(context.count)],
                             how: "a durable x-queue-type=stream queue; \(context.count) confirmed publishes; one consumer reads them all, then a new consumer with x-stream-offset=first and prefetch 100 counts what it receives")
    }

    /// What a new consumer from x-stream-offset=first receives (waiting for all that were sent).
    private static func read(_ queue: String, on reader: AMQPClientConnection, count: Int) async throws -> Int {
        let consumer = CountingConsumer()
        try await consumer.start(queue: queue, on: try await reader.openChannel(), arguments: ["x-stream-offset": .longString("first")])
        return await consumer.wait(for: count, timeout: .seconds(2)).count
    }
}
