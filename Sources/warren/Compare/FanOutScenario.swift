import AMQPClient
import AMQPWire
import Foundation
import NIOConcurrencyHelpers
import Redis

/// Scenario 3: three subscribers want every event; one of them is offline while they are sent.
enum FanOutScenario {
    static let name = "3 fan-out, one subscriber offline"
    static let messages = 100

    static func run(_ context: CompareContext) async throws -> [ComparisonRow] {
        let redis = context.redisClient()
        // Pub/sub: PUBLISH answers how many subscribers received the message. Two are online.
        let channel = context.key("events")
        let subscribers = (0..<2).map { _ in
            ChildProcess(arguments: ["/usr/bin/redis-cli", "-p", String(context.redis.port), "SUBSCRIBE", channel],
                             logFile: context.directory + "/subscriber.log")
        }
        for subscriber in subscribers { try subscriber.start() }
        defer { subscribers.forEach { $0.kill() } }
        var online = 0
        for _ in 0..<200 where online < 2 {
            online = Int(try await redis.command("PUBSUB", "NUMSUB", channel).array?.last?.integer ?? 0)
            if online < 2 { try await Task.sleep(for: .milliseconds(10)) }
        }
        var reached = 0
        for index in 0..<messages {
            reached += Int(try await redis.command("PUBLISH", channel, "event-\(index)").integer ?? 0)
        }
        // A list: every item goes to one consumer only; two online consumers split the items.
        let list = context.key("events-list")
        try await redis.command("DEL", list)
        _ = try await redis.pipeline((0..<messages).map { ["LPUSH", list, "event-\($0)"] })
        var split = [0, 0]
        var turn = 0
        while case .bulk = try await redis.command("RPOP", list) {
            split[turn] += 1
            turn = 1 - turn
        }
        let offlineAMQP = try await amqpFanOut(context)
        return [
            ComparisonRow(scenario: name, system: "Redis pub/sub",
                          result: "online subscribers got \(reached / 2) each; the offline one gets 0 (nothing is kept)",
                          numbers: ["per_online_subscriber": Double(reached) / 2, "offline_subscriber": 0],
                          how: "2 redis-cli SUBSCRIBE clients online, 1 offline; \(messages) PUBLISH, summing their replies (subscribers reached)"),
            ComparisonRow(scenario: name, system: "Redis list",
                          result: "each item reached one consumer: \(split[0]) + \(split[1]); the offline one gets 0",
                          numbers: ["consumer_a": Double(split[0]), "consumer_b": Double(split[1]), "offline_subscriber": 0],
                          how: "\(messages) LPUSH, two consumers RPOP in turn until empty"),
            ComparisonRow(scenario: name, system: "AMQP, a queue per subscriber",
                          result: "every subscriber gets all \(messages), the offline one when it comes back (\(offlineAMQP))",
                          numbers: ["offline_subscriber": Double(offlineAMQP)],
                          how: "a fanout exchange with 3 queues bound; \(messages) publishes; the offline subscriber connects afterwards and drains its queue"),
        ]
    }

    private static func amqpFanOut(_ context: CompareContext) async throws -> Int {
        let connection = try await context.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let exchange = context.key("events")
        _ = try await channel.call(.exchangeDeclare(ExchangeDeclare(exchange: exchange, type: "fanout")))
        var queues: [String] = []
        for subscriber in ["a", "b", "offline"] {
            let queue = try await context.freshQueue("events-\(subscriber)", on: channel)
            _ = try await channel.call(.queueBind(QueueBind(queue: queue, exchange: exchange)))
            queues.append(queue)
        }
        let confirmed = try await ConfirmedPublishChannel.open(on: connection)
        let batch = (0..<messages).map {
            OutgoingMessage(exchange: exchange, routingKey: "", properties: BasicProperties(), body: CompareContext.body("event-\($0)"))
        }
        _ = try await confirmed.publish(batch)
        // The offline subscriber comes back and reads its queue.
        let late = try await context.connect()
        defer { Task { await late.close() } }
        let lateChannel = try await late.openChannel()
        var received = 0
        while try await lateChannel.get(queue: queues[2], noAck: true) != nil { received += 1 }
        return received
    }
}
