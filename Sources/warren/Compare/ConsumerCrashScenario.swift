import AMQPClient
import AMQPWire
import NIOConcurrencyHelpers
import Redis

/// Scenario 1: a worker takes a task and crashes before finishing it.
enum ConsumerCrashScenario {
    static let name = "1 consumer crashes mid-task"

    static func run(_ context: CompareContext) async throws -> [ComparisonRow] {
        let redis = context.redisClient()
        // RPOP: the task leaves the list the moment it is read.
        let list = context.key("tasks")
        try await redis.command("DEL", list)
        try await redis.command("LPUSH", list, "task-1")
        _ = try await redis.command("RPOP", list)  // the worker dies here
        let leftInList = try await redis.command("LLEN", list).integer ?? 0
        // BLMOVE: the reliable-queue pattern keeps it in a processing list.
        let processing = context.key("processing")
        try await redis.command("DEL", processing)
        try await redis.command("LPUSH", list, "task-1")
        _ = try await redis.command("BLMOVE", list, processing, "RIGHT", "LEFT", "1")
        let inProcessing = try await redis.command("LLEN", processing).integer ?? 0
        let redeliveredByAMQP = try await amqpRedelivers(context)
        return [
            ComparisonRow(scenario: name, system: "Redis RPOP", result: leftInList == 0 ? "task lost (1 of 1)" : "task kept",
                          numbers: ["lost": Double(1 - leftInList)],
                          how: "LPUSH 1 task, RPOP it, drop the worker before it finishes; LLEN afterwards = \(leftInList)"),
            ComparisonRow(scenario: name, system: "Redis BLMOVE to a processing list",
                          result: "kept in the processing list (\(inProcessing)); re-queueing it is the application's job",
                          numbers: ["lost": Double(1 - inProcessing), "automatic_redelivery": 0],
                          how: "LPUSH 1 task, BLMOVE it to a processing list, drop the worker; LLEN of the processing list"),
            ComparisonRow(scenario: name, system: "AMQP, manual ack",
                          result: redeliveredByAMQP ? "redelivered to the next consumer automatically (lost 0)" : "not redelivered",
                          numbers: ["lost": redeliveredByAMQP ? 0 : 1, "automatic_redelivery": redeliveredByAMQP ? 1 : 0],
                          how: "publish 1 task, consumer A receives it without acking and its connection closes; consumer B on another connection receives it with redelivered=true"),
        ]
    }

    private static func amqpRedelivers(_ context: CompareContext) async throws -> Bool {
        let publisher = try await context.connect()
        defer { Task { await publisher.close() } }
        let channel = try await publisher.openChannel()
        let queue = try await context.freshQueue("tasks", on: channel)
        try await channel.publish(exchange: "", routingKey: queue, body: CompareContext.body("task-1"))
        let worker = try await context.connect()
        let workerChannel = try await worker.openChannel()
        var delivery: Delivery?
        for _ in 0..<200 where delivery == nil {
            delivery = try await workerChannel.get(queue: queue, noAck: false)
            if delivery == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        guard delivery != nil else { throw CompareError("scenario 1: the task never reached the AMQP worker") }
        await worker.close()  // the worker dies holding the task
        for _ in 0..<200 {
            if let again = try await channel.get(queue: queue, noAck: true) { return again.redelivered }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
