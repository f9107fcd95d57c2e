import AMQPClient
import AMQPWire
import NIOCore
import Redis

/// "How many kern.critical today, and the last ten?" — a question for a counter and a capped list,
/// not for a queue.
enum CountersScenario: CompareScenario {
    static let name = "counters"
    static let title = "counters and recent entries"

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        let redis = context.redisClient()
        let counter = context.key("count:kern.critical")
        let recent = context.key("recent:kern.critical")
        try await redis.command("DEL", counter, recent)
        for start in stride(from: 0, to: context.count, by: 100) {
            var commands: [[String]] = []
            for index in start..<min(start + 100, context.count) {
                commands += [["INCR", counter], ["LPUSH", recent, "entry-\(index)"], ["LTRIM", recent, "0", "9"]]
            }
            _ = try await redis.pipeline(commands)
        }
        let began = MessageStamp.now()
        let answer = try await redis.pipeline([["GET", counter], ["LRANGE", recent, "0", "9"]])
        let micros = Double(MessageStamp.now() - began) / 1000
        let count = answer[0].integer ?? 0
        let lastTen = answer[1].array?.count ?? 0
        let queueAnswer = try await queueCount(context)
        let rows = [
            ComparisonRow(system: "Redis INCR + LPUSH/LTRIM",
                          result: "count \(count), last \(lastTen) entries, answered in \(Int(micros)) µs",
                          numbers: ["count": Double(count), "recent": Double(lastTen), "answer_us": micros.rounded()],
                          how: "\(context.count) INCR and capped LPUSH; then GET + LRANGE 0 9 in one round trip"),
            ComparisonRow(system: "AMQP queue",
                          result: "message_count \(queueAnswer) after the entries were consumed: a queue holds what is unread, not what happened",
                          numbers: ["count": Double(queueAnswer)],
                          how: "\(context.count) publishes to a queue, a consumer reads them all, then queue.declare(passive) message_count"),
        ]
        return report(verdict: """
            Redis wins: a counter and a capped list answer "how many, and the last ten" in one round trip \
            (\(Int(micros)) µs here). A queue holds what is unread, not what happened; warren's Redis bridge \
            keeps these numbers in Redis for that reason.
            """, rows: rows)
    }

    private static func queueCount(_ context: CompareContext) async throws -> Int {
        let connection = try await context.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let queue = try await context.freshQueue("kern.critical", on: channel)
        try await context.publishConfirmed((0..<context.count).map { "entry-\($0)" }, routingKey: queue, on: connection)
        while try await channel.get(queue: queue, noAck: true) != nil {}
        guard case .queueDeclareOk(let ok) = try await channel.call(.queueDeclare(QueueDeclare(queue: queue, passive: true))) else {
            return -1
        }
        return Int(ok.messageCount)
    }
}
