import AMQPClient
import AMQPWire
import NIOCore
import Redis

/// The server is killed (-9) right after acknowledging N writes, then restarted on the same data.
enum ServerRestartScenario: CompareScenario {
    static let name = "server-restart"
    static let title = "the server is killed and restarted"

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        var rows: [ComparisonRow] = []
        for persistence in [PrivateRedis.Persistence.none, .everysec, .always] {
            let server = try PrivateRedis(directory: context.directory + "/redis-\(persistence)", persistence: persistence)
            try await server.start()
            defer { server.stop() }
            let client = RedisClient(url: server.url)
            let list = "tasks"
            for start in stride(from: 0, to: context.count, by: 100) {
                let commands = (start..<min(start + 100, context.count)).map { ["LPUSH", list, "task-\($0)"] }
                for reply in try await client.pipeline(commands) where reply.integer == nil {
                    throw CompareError("\(name): LPUSH failed: \(reply)")
                }
            }
            try await server.crashAndRestart()
            try await server.waitUntilLoaded()
            let survived = Int(try await RedisClient(url: server.url).command("LLEN", list).integer ?? 0)
            rows.append(row(system: "Redis, \(persistence.rawValue)", survived: survived, total: context.count,
                            how: "\(context.count) LPUSH, each answered; kill -9 at once; restart on the same dir; LLEN"))
        }
        let warren = try PrivateWarren(directory: context.directory + "/warren-restart")
        try await warren.start()
        defer { warren.stop() }
        let survived = try await durableQueueSurvivors(warren: warren, count: context.count)
        rows.append(row(system: "AMQP durable queue, persistent, confirms", survived: survived, total: context.count,
                        how: "\(context.count) persistent publishes to a durable queue, each confirmed; kill -9 warren at once; restart; message_count"))
        return report(verdict: """
            Durability is a setting on both sides. Redis without persistence keeps nothing; AOF everysec \
            keeps what the background fsync wrote (up to a second can go); AOF always and a durable AMQP \
            queue with persistent messages and publisher confirms keep every acknowledged write, because \
            the reply or confirm is sent after the fsync.
            """, rows: rows)
    }

    private static func row(system: String, survived: Int, total: Int, how: String) -> ComparisonRow {
        ComparisonRow(system: system, result: "\(survived) of \(total) acknowledged writes survived",
                      numbers: ["survived": Double(survived), "acknowledged": Double(total), "lost": Double(total - survived)],
                      how: how)
    }

    private static func durableQueueSurvivors(warren: PrivateWarren, count: Int) async throws -> Int {
        let connection = try await AMQPClientConnection.connect(to: warren.url)
        let publisher = try await ConfirmedPublishChannel.open(on: connection)
        _ = try await publisher.channel.call(.queueDeclare(QueueDeclare(queue: "tasks", durable: true)))
        let properties = BasicProperties(deliveryMode: 2)
        for start in stride(from: 0, to: count, by: 500) {
            let batch = (start..<min(start + 500, count)).map {
                OutgoingMessage(exchange: "", routingKey: "tasks", properties: properties, body: ByteBuffer(string: "task-\($0)"))
            }
            guard try await publisher.publish(batch).allSatisfy({ $0 }) else { throw CompareError("\(name): a publish was nacked") }
        }
        try await warren.crashAndRestart()
        await connection.close()
        let again = try await AMQPClientConnection.connect(to: warren.url)
        defer { Task { await again.close() } }
        let channel = try await again.openChannel()
        guard case .queueDeclareOk(let ok) = try await channel.call(.queueDeclare(QueueDeclare(queue: "tasks", passive: true))) else {
            throw CompareError("\(name): the durable queue is gone after the restart")
        }
        return Int(ok.messageCount)
    }
}
