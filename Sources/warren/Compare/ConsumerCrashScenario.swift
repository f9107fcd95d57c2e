import AMQPClient
import AMQPWire
import Redis

/// A worker takes a task and crashes before finishing it: who still has the task, and who hands
/// it to the next worker?
enum ConsumerCrashScenario: CompareScenario {
    static let name = "consumer-crash"
    static let title = "a consumer crashes mid-task"

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        let pubsub = try await pubSubLoses(context)
        let rpop = try await rpopLoses(context)
        let (reaperKept, reaperHandedBack) = try await processingListWithReaper(context)
        let stream = try await streamWithAutoclaim(context)
        let amqp = try await amqpRedelivers(context)
        let rows = [
            ComparisonRow(system: "Redis pub/sub", result: pubsub == 0 ? "task lost: the subscriber had it, the server keeps nothing" : "task kept",
                          numbers: ["kept": Double(pubsub), "lost": Double(1 - pubsub)],
                          how: "a redis-cli SUBSCRIBE client receives 1 PUBLISH (reply: 1 reached) and is killed; nothing on the server holds the message any more"),
            ComparisonRow(system: "Redis list, RPOP", result: rpop == 0 ? "task lost: it left the list when it was read" : "task kept",
                          numbers: ["kept": Double(rpop), "lost": Double(1 - rpop)],
                          how: "LPUSH 1 task, RPOP it, the worker dies before finishing; LLEN afterwards = \(rpop)"),
            ComparisonRow(system: "Redis list, BLMOVE + processing list + reaper",
                          result: "kept in the processing list (\(reaperKept)); a reaper moved it back and the next worker got it (\(reaperHandedBack)), with no redelivered flag",
                          numbers: ["kept": Double(reaperKept), "handed_back": Double(reaperHandedBack), "automatic_redelivery": 0],
                          how: "BLMOVE tasks→processing, the worker dies; the application's reaper (after its visibility timeout) runs LMOVE processing→tasks; worker B BLMOVEs it and LREMs it when done"),
            ComparisonRow(system: "Redis Stream + consumer group",
                          result: "pending for the dead consumer (\(stream.pending)); XREADGROUP > gives others nothing (\(stream.readByOthers)); XAUTOCLAIM handed it to worker B with delivery count \(stream.deliveries)",
                          numbers: ["kept": Double(stream.pending), "handed_back": Double(stream.claimed), "delivery_count": Double(stream.deliveries),
                                    "automatic_redelivery": 0],
                          how: "XADD 1 entry; worker A XREADGROUP … > and dies without XACK; XPENDING; worker B XREADGROUP … > (nothing), then XAUTOCLAIM (min-idle-time 0 here; in production the visibility timeout, e.g. 30000 ms), XPENDING shows the delivery count, XACK"),
            ComparisonRow(system: "AMQP classic queue, manual ack",
                          result: amqp ? "redelivered to the next consumer by the broker as soon as the connection dropped (redelivered=true)" : "not redelivered",
                          numbers: ["kept": amqp ? 1 : 0, "handed_back": amqp ? 1 : 0, "automatic_redelivery": amqp ? 1 : 0],
                          how: "publish 1 task; consumer A basic.gets it without acking and its connection closes; consumer B on another connection receives it with redelivered=true"),
        ]
        return report(verdict: """
            Pub/sub and RPOP lose the task. A BLMOVE processing list and a Stream consumer group keep it \
            (the Stream also counts deliveries), but Redis cannot tell that the worker died: a reaper or \
            XAUTOCLAIM must hand the task back after a timeout you choose. AMQP redelivers it as soon as the \
            worker's connection drops.
            """, rows: rows)
    }

    private static func pubSubLoses(_ context: CompareContext) async throws -> Int {
        let redis = context.redisClient()
        let channel = context.key("tasks-channel")
        let subscriber = try await RedisSubscribers.start(1, to: channel, context: context)
        let reached = try await redis.command("PUBLISH", channel, "task-1").integer ?? 0
        subscriber.stop()
        guard reached == 1 else { throw CompareError("\(name): PUBLISH reached \(reached) subscribers, not 1") }
        return 0  // a channel holds nothing: there is no command that could return the message
    }

    private static func rpopLoses(_ context: CompareContext) async throws -> Int {
        let redis = context.redisClient()
        let keys = try await context.freshKeys("tasks", on: redis)
        try await redis.command("LPUSH", keys[0], "task-1")
        _ = try await redis.command("RPOP", keys[0])  // the worker dies here
        return Int(try await redis.command("LLEN", keys[0]).integer ?? 0)
    }

    private static func processingListWithReaper(_ context: CompareContext) async throws -> (kept: Int, handedBack: Int) {
        let redis = context.redisClient()
        let keys = try await context.freshKeys("tasks", "processing", on: redis)
        let (tasks, processing) = (keys[0], keys[1])
        try await redis.command("LPUSH", tasks, "task-1")
        _ = try await redis.command("BLMOVE", tasks, processing, "RIGHT", "LEFT", "1")  // worker A dies here
        let kept = Int(try await redis.command("LLEN", processing).integer ?? 0)
        _ = try await redis.command("LMOVE", processing, tasks, "RIGHT", "RIGHT")  // the reaper
        let workerB = context.redisClient()
        let again = try await workerB.command("BLMOVE", tasks, processing, "RIGHT", "LEFT", "1")
        guard let task = again.string else { return (kept, 0) }
        try await workerB.command("LREM", processing, "1", task)
        return (kept, 1)
    }

    struct StreamOutcome {
        var pending = 0
        var readByOthers = 0
        var claimed = 0
        var deliveries = 0
    }

    private static func streamWithAutoclaim(_ context: CompareContext) async throws -> StreamOutcome {
        let redis = context.redisClient()
        let stream = try await context.freshKeys("tasks-stream", on: redis)[0]
        try await redis.command("XGROUP", "CREATE", stream, "workers", "$", "MKSTREAM")
        let id = try await redis.command("XADD", stream, "*", "task", "task-1").string ?? ""
        let workerA = context.redisClient()
        _ = try await workerA.command("XREADGROUP", "GROUP", "workers", "a", "COUNT", "1", "STREAMS", stream, ">")  // dies here
        var outcome = StreamOutcome()
        outcome.pending = Int(try await redis.command("XPENDING", stream, "workers").array?.first?.integer ?? 0)
        let workerB = context.redisClient()
        let fresh = try await workerB.command("XREADGROUP", "GROUP", "workers", "b", "COUNT", "1", "STREAMS", stream, ">")
        outcome.readByOthers = fresh.array?.count ?? 0
        let claim = try await workerB.command("XAUTOCLAIM", stream, "workers", "b", "0", "0-0", "COUNT", "10")
        outcome.claimed = claim.array?.dropFirst().first?.array?.count ?? 0
        let detail = try await redis.command("XPENDING", stream, "workers", "-", "+", "10", "b")
        outcome.deliveries = Int(detail.array?.first?.array?.last?.integer ?? 0)
        try await workerB.command("XACK", stream, "workers", id)
        return outcome
    }

    private static func amqpRedelivers(_ context: CompareContext) async throws -> Bool {
        let publisher = try await context.connect()
        defer { Task { await publisher.close() } }
        let channel = try await publisher.openChannel()
        let queue = try await context.freshQueue("tasks", on: channel)
        try await context.publishConfirmed(["task-1"], routingKey: queue, on: publisher)
        let worker = try await context.connect()
        let workerChannel = try await worker.openChannel()
        guard try await workerChannel.get(queue: queue, noAck: false) != nil else {
            throw CompareError("\(name): the confirmed task is not in the AMQP queue")
        }
        await worker.close()  // the worker dies holding the task
        for _ in 0..<200 {
            if let again = try await channel.get(queue: queue, noAck: true) { return again.redelivered }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
