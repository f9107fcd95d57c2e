import AMQPClient
import AMQPWire
import Redis

/// A subscriber wants `kern.*` only, from a mix of routing keys; one such subscriber is offline
/// while the events are sent.
enum RoutingScenario: CompareScenario {
    static let name = "routing"
    static let title = "routing by pattern (kern.*) with a subscriber offline"
    static let keys = ["kern.critical", "auth.info", "kern.info", "mail.warning", "kern.error"]
    static let rounds = 20

    static var matching: Int { keys.filter { $0.hasPrefix("kern.") }.count * rounds }
    static var sent: Int { keys.count * rounds }

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        let online = try await psubscribeReach(context)
        let (amqpOnline, amqpOffline) = try await topicExchange(context)
        let rows = [
            ComparisonRow(system: "Redis pub/sub, PSUBSCRIBE kern.*",
                          result: "the online subscriber got \(online) of the \(matching) kern.* events; the offline one gets 0",
                          numbers: ["online_subscriber": Double(online), "offline_subscriber": 0, "matching": Double(matching)],
                          how: "a redis-cli PSUBSCRIBE <prefix>.kern.* client; \(sent) PUBLISH to <prefix>.<facility>.<severity>, summing the replies; nothing is kept for a pattern nobody listens to"),
            ComparisonRow(system: "AMQP topic exchange, queue bound kern.*",
                          result: "the online subscriber got \(amqpOnline); the offline one gets all \(amqpOffline) when it comes back",
                          numbers: ["online_subscriber": Double(amqpOnline), "offline_subscriber": Double(amqpOffline), "matching": Double(matching)],
                          how: "a topic exchange, 2 queues bound with kern.*; \(sent) confirmed publishes with the 5 routing keys; each queue drained (the offline one afterwards)"),
        ]
        return report(verdict: """
            Both filter by pattern on the server. PSUBSCRIBE delivers to connected clients only, and Redis \
            Streams have no pattern routing (a reader must name every stream key). A topic exchange with a \
            queue per subscriber keeps the matching events for a subscriber that was offline.
            """, rows: rows)
    }

    private static func psubscribeReach(_ context: CompareContext) async throws -> Int {
        let redis = context.redisClient()
        let subscriber = try await RedisSubscribers.start(1, command: "PSUBSCRIBE", to: context.key("kern.*"), context: context)
        defer { subscriber.stop() }
        var commands: [[String]] = []
        for round in 0..<rounds {
            commands += keys.map { ["PUBLISH", context.key($0), "event-\(round)"] }
        }
        return try await redis.pipeline(commands).reduce(0) { $0 + Int($1.integer ?? 0) }
    }

    private static func topicExchange(_ context: CompareContext) async throws -> (online: Int, offline: Int) {
        let connection = try await context.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let exchange = context.key("logs")
        try await channel.call(.exchangeDeclare(ExchangeDeclare(exchange: exchange, type: "topic", autoDelete: true)))
        var queues: [String] = []
        for subscriber in ["online", "offline"] {
            let queue = try await context.freshQueue("kern-\(subscriber)", on: channel)
            try await channel.call(.queueBind(QueueBind(queue: queue, exchange: exchange, routingKey: "kern.*")))
            queues.append(queue)
        }
        for key in keys {
            try await context.publishConfirmed((0..<rounds).map { "event-\($0)" }, exchange: exchange, routingKey: key, on: connection)
        }
        let online = try await FanOutScenario.drain(queues[0], on: channel)
        return (online, try await FanOutScenario.drain(queues[1], on: channel))
    }
}
