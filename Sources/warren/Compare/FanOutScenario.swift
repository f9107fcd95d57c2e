import AMQPClient
import AMQPWire
import Redis

/// Three subscribers want every event; one of them is offline while the events are sent.
enum FanOutScenario: CompareScenario {
    static let name = "fan-out"
    static let title = "fan-out with one subscriber offline"
    static let messages = 100

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        let reached = try await pubSubReach(context)
        let split = try await listSplit(context)
        let groups = try await streamGroups(context)
        let offlineAMQP = try await amqpFanOut(context)
        let rows = [
            ComparisonRow(system: "Redis pub/sub",
                          result: "online subscribers got \(reached / 2) each; the offline one gets 0 (nothing is kept)",
                          numbers: ["per_online_subscriber": Double(reached) / 2, "offline_subscriber": 0],
                          how: "2 redis-cli SUBSCRIBE clients online, 1 offline; \(messages) PUBLISH, summing their replies (subscribers reached)"),
            ComparisonRow(system: "Redis list",
                          result: "each item reached one consumer: \(split.0) + \(split.1); the offline one gets 0",
                          numbers: ["consumer_a": Double(split.0), "consumer_b": Double(split.1), "offline_subscriber": 0],
                          how: "\(messages) LPUSH, two consumers RPOP in turn until empty (a list is a work queue, not a fan-out)"),
            ComparisonRow(system: "Redis Stream, a consumer group per subscriber",
                          result: "online groups got \(groups.online) each; the offline one reads all \(groups.offline) when it comes back",
                          numbers: ["per_online_subscriber": Double(groups.online), "offline_subscriber": Double(groups.offline)],
                          how: "XGROUP CREATE … $ for 3 subscribers, \(messages) XADD; each group XREADGROUP … > (the offline one afterwards); the stream keeps entries until trimmed (MAXLEN/MINID)"),
            ComparisonRow(system: "AMQP, a queue per subscriber",
                          result: "every subscriber gets all \(messages), the offline one when it comes back (\(offlineAMQP))",
                          numbers: ["offline_subscriber": Double(offlineAMQP)],
                          how: "a fanout exchange with 3 queues bound; \(messages) confirmed publishes; the offline subscriber connects afterwards and drains its queue"),
        ]
        return report(verdict: """
            Pub/sub reaches only who is connected and a list splits the items between consumers. A Stream with \
            one consumer group per subscriber and an AMQP queue per subscriber both keep the offline \
            subscriber's events until it returns (the Stream keeps them for everyone until trimmed, the queue \
            per subscriber until that subscriber acks).
            """, rows: rows)
    }

    private static func pubSubReach(_ context: CompareContext) async throws -> Int {
        let redis = context.redisClient()
        let channel = context.key("events")
        let subscribers = try await RedisSubscribers.start(2, to: channel, context: context)
        defer { subscribers.stop() }
        let replies = try await redis.pipeline((0..<messages).map { ["PUBLISH", channel, "event-\($0)"] })
        return replies.reduce(0) { $0 + Int($1.integer ?? 0) }
    }

    private static func listSplit(_ context: CompareContext) async throws -> (Int, Int) {
        let redis = context.redisClient()
        let list = try await context.freshKeys("events-list", on: redis)[0]
        _ = try await redis.pipeline((0..<messages).map { ["LPUSH", list, "event-\($0)"] })
        var split = [0, 0]
        var turn = 0
        while case .bulk = try await redis.command("RPOP", list) {
            split[turn] += 1
            turn = 1 - turn
        }
        return (split[0], split[1])
    }

    private static func streamGroups(_ context: CompareContext) async throws -> (online: Int, offline: Int) {
        let redis = context.redisClient()
        let stream = try await context.freshKeys("events-stream", on: redis)[0]
        for group in ["a", "b", "offline"] {
            try await redis.command("XGROUP", "CREATE", stream, group, "$", "MKSTREAM")
        }
        _ = try await redis.pipeline((0..<messages).map { ["XADD", stream, "*", "event", String($0)] })
        func read(_ group: String) async throws -> Int {
            let reply = try await redis.command("XREADGROUP", "GROUP", group, "reader", "COUNT", String(messages * 2), "STREAMS", stream, ">")
            return reply.array?.first?.array?.last?.array?.count ?? 0
        }
        let online = try await read("a")
        _ = try await read("b")
        return (online, try await read("offline"))
    }

    private static func amqpFanOut(_ context: CompareContext) async throws -> Int {
        let connection = try await context.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let exchange = context.key("events")
        _ = try await channel.call(.exchangeDeclare(ExchangeDeclare(exchange: exchange, type: "fanout", autoDelete: true)))
        var queues: [String] = []
        for subscriber in ["a", "b", "offline"] {
            let queue = try await context.freshQueue("events-\(subscriber)", on: channel)
            _ = try await channel.call(.queueBind(QueueBind(queue: queue, exchange: exchange)))
            queues.append(queue)
        }
        try await context.publishConfirmed((0..<messages).map { "event-\($0)" }, exchange: exchange, routingKey: "", on: connection)
        let late = try await context.connect()  // the offline subscriber comes back and reads its queue
        defer { Task { await late.close() } }
        return try await drain(queues[2], on: try await late.openChannel())
    }

    /// basic.get until the queue is empty; the number of messages read.
    static func drain(_ queue: String, on channel: AMQPClientChannel) async throws -> Int {
        var received = 0
        while try await channel.get(queue: queue, noAck: true) != nil { received += 1 }
        return received
    }
}
