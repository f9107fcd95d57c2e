import AMQPClient
import AMQPWire
import Redis

/// Ten tasks in order; worker A takes the first five, finishes two and crashes; worker B takes over.
/// In what order does B see the tasks?
enum OrderingScenario: CompareScenario {
    static let name = "ordering"
    static let title = "ordering when a crashed worker's tasks come back"
    static let tasks = 1...10

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        let amqp = try await amqpOrder(context)
        let stream = try await streamOrder(context)
        let list = try await listOrder(context)
        let rows = [
            row("AMQP classic queue, manual ack", amqp,
                how: "publish 1…10; A basic.gets 1…5, acks 1 and 2, its connection closes; B reads the queue once the broker requeued 3…5"),
            row("Redis Stream + consumer group", stream,
                how: "XADD 1…10; A XREADGROUP COUNT 5, XACK 1 and 2, dies; B XREADGROUP … > until empty, then XAUTOCLAIM once A's entries are idle past the visibility timeout"),
            row("Redis list, BLMOVE + processing list + reaper", list,
                how: "LPUSH 1…10; A BLMOVEs 1…5 into its processing list, LREMs 1 and 2, dies; B LMOVEs until empty; then the reaper's LMOVE processing→tasks (LEFT RIGHT, order kept) and B takes them"),
        ]
        return report(verdict: """
            AMQP puts a dead consumer's unacked messages back in their place as soon as its connection drops, \
            so the next consumer sees them first, flagged redelivered. In Redis the crashed worker's tasks come \
            back only when a reaper or XAUTOCLAIM runs after a timeout, by which time later tasks were handed \
            out: order is lost unless the application orders by id itself.
            """, rows: rows)
    }

    private static func row(_ system: String, _ seen: [Int], how: String) -> ComparisonRow {
        let inOrder = seen == Array(3...10)
        return ComparisonRow(system: system,
                             result: "B saw \(seen.map { String($0) }.joined(separator: ",")): \(inOrder ? "in order" : "out of order")",
                             numbers: ["in_order": inOrder ? 1 : 0, "received": Double(seen.count)], how: how)
    }

    private static func amqpOrder(_ context: CompareContext) async throws -> [Int] {
        let connection = try await context.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let queue = try await context.freshQueue("ordering", on: channel)
        try await context.publishConfirmed(tasks.map { String($0) }, routingKey: queue, on: connection)
        let workerA = try await context.connect()
        let channelA = try await workerA.openChannel()
        for _ in 1...5 { _ = try await channelA.get(queue: queue, noAck: false) }
        try await channelA.ack(2, multiple: true)
        await workerA.close()
        for _ in 0..<500 {
            guard case .queueDeclareOk(let ok) = try await channel.call(.queueDeclare(QueueDeclare(queue: queue, passive: true))) else { break }
            if ok.messageCount == 8 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        var seen: [Int] = []
        while let delivery = try await channel.get(queue: queue, noAck: true) { seen.append(Int(String(buffer: delivery.body)) ?? 0) }
        return seen
    }

    private static func streamOrder(_ context: CompareContext) async throws -> [Int] {
        let redis = context.redisClient()
        let stream = try await context.freshKeys("ordering-stream", on: redis)[0]
        try await redis.command("XGROUP", "CREATE", stream, "workers", "$", "MKSTREAM")
        let ids = try await redis.pipeline(tasks.map { ["XADD", stream, "*", "task", String($0)] }).compactMap(\.string)
        _ = try await redis.command("XREADGROUP", "GROUP", "workers", "a", "COUNT", "5", "STREAMS", stream, ">")
        try await redis.command("XACK", stream, "workers", ids[0], ids[1])  // A finished 1 and 2, then died
        let fresh = try await redis.command("XREADGROUP", "GROUP", "workers", "b", "COUNT", "100", "STREAMS", stream, ">").array?.first?.array?.last?.array ?? []
        try await redis.command(["XACK", stream, "workers"] + fresh.compactMap { $0.array?.first?.string })  // B finished them
        let claimed = try await redis.command("XAUTOCLAIM", stream, "workers", "b", "0", "0-0", "COUNT", "100").array?.dropFirst().first?.array ?? []
        return (fresh + claimed).map { Int($0.array?.last?.array?.last?.string ?? "") ?? 0 }
    }

    private static func listOrder(_ context: CompareContext) async throws -> [Int] {
        let redis = context.redisClient()
        let keys = try await context.freshKeys("ordering-list", "ordering-processing-a", "ordering-processing-b", on: redis)
        let (list, processingA, processingB) = (keys[0], keys[1], keys[2])
        _ = try await redis.pipeline(tasks.map { ["LPUSH", list, String($0)] })
        _ = try await redis.pipeline((1...5).map { _ in ["BLMOVE", list, processingA, "RIGHT", "LEFT", "1"] })
        _ = try await redis.pipeline([["LREM", processingA, "1", "1"], ["LREM", processingA, "1", "2"]])  // then A dies
        func drain() async throws -> [Int] {
            var seen: [Int] = []
            while let task = try await redis.command("LMOVE", list, processingB, "RIGHT", "LEFT").string {
                seen.append(Int(task) ?? 0)
                try await redis.command("LREM", processingB, "1", task)
            }
            return seen
        }
        var seen = try await drain()
        while case .bulk = try await redis.command("LMOVE", processingA, list, "LEFT", "RIGHT") {}  // the reaper
        seen += try await drain()
        return seen
    }
}
