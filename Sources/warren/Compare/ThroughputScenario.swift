import AMQPClient
import Redis

/// Moving many messages of the same size through each server with the same pipeline depth,
/// several runs, next to `redis-benchmark` on the same Redis.
enum ThroughputScenario: CompareScenario {
    static let name = "throughput"
    static let title = "throughput with pipelined clients on both sides"

    static func run(_ context: CompareContext) async throws -> ScenarioReport {
        let options = context.options
        var push: [Double] = [], pop: [Double] = [], benchPush: [Double] = [], benchPop: [Double] = []
        var published: [Double] = [], consumed: [Double] = [], added: [Double] = [], grouped: [Double] = []
        let redis = context.redisClient()
        let keys = try await context.freshKeys("throughput", "throughput-stream", on: redis)
        let list = keys[0]
        let body = String(repeating: "x", count: options.size)
        for run in 1...options.runs {
            context.progress("\(name): run \(run) of \(options.runs)")
            let (pushRate, popRate) = try await redisRun(redis, list: list, body: body, options: options)
            push.append(pushRate)
            pop.append(popRate)
            if let rate = try await RedisBenchmark.requestsPerSecond(["LPUSH", list, body], requests: options.messages, depth: options.depth, context: context) {
                benchPush.append(rate)
            }
            if let rate = try await RedisBenchmark.requestsPerSecond(["RPOP", list], requests: options.messages, depth: options.depth, context: context) {
                benchPop.append(rate)
            }
            try await redis.command("DEL", list)
            let (addRate, readRate) = try await streamRun(redis, stream: keys[1], body: body, options: options)
            added.append(addRate)
            grouped.append(readRate)
            var benchmark = ThroughputBenchmark.Options()
            benchmark.messages = options.messages
            benchmark.size = options.size
            benchmark.confirmWindow = options.depth
            benchmark.prefetch = options.depth
            let result = try await ThroughputBenchmark(url: context.amqp, options: benchmark).run()
            published.append(result.publishedPerSecond)
            consumed.append(result.consumedPerSecond)
        }
        let shape = "\(options.messages) × \(options.size) B, \(options.runs) run(s), median (min–max)"
        var rows = [
            ComparisonRow(system: "Redis list, LPUSH pipelined ×\(options.depth)", result: Spread(values: push).text,
                          numbers: Spread(values: push).numbers("msg_per_s"),
                          how: "\(shape); one hiredis client sends \(options.depth) LPUSH and then reads their \(options.depth) replies; no persistence (in memory only)"),
            ComparisonRow(system: "Redis list, RPOP pipelined ×\(options.depth)", result: Spread(values: pop).text,
                          numbers: Spread(values: pop).numbers("msg_per_s"),
                          how: "\(shape); the same client pops what it pushed, \(options.depth) RPOP per round trip; no persistence"),
        ]
        if !benchPush.isEmpty, !benchPop.isEmpty {
            rows.append(ComparisonRow(system: "redis-benchmark, same Redis, -c 1 -P \(options.depth)",
                                      result: "LPUSH \(Spread(values: benchPush).text), RPOP \(Spread(values: benchPop).text); ours reach \(percent(push, of: benchPush)) and \(percent(pop, of: benchPop)) of it",
                                      numbers: Spread(values: benchPush).numbers("lpush_per_s").merging(Spread(values: benchPop).numbers("rpop_per_s")) { $1 },
                                      how: "redis-benchmark -c 1 -P \(options.depth) -n \(options.messages) LPUSH <same key> <same \(options.size) B body>, then RPOP <same key>: the reference for the two rows above"))
        }
        rows.append(ComparisonRow(system: "Redis Stream, XADD ×\(options.depth), XREADGROUP COUNT \(options.depth) + XACK",
                                  result: "added \(Spread(values: added).text), read and acked \(Spread(values: grouped).text)",
                                  numbers: Spread(values: added).numbers("added_per_s").merging(Spread(values: grouped).numbers("acked_per_s")) { $1 },
                                  how: "\(shape); XADD pipelined \(options.depth) per round trip, then one consumer of a group reads \(options.depth) per XREADGROUP … > with the previous batch's XACK in the same round trip; no persistence"))
        rows.append(ComparisonRow(system: "AMQP classic queue, confirms ×\(options.depth), prefetch \(options.depth), manual ack",
                                  result: "published \(Spread(values: published).text), consumed \(Spread(values: consumed).text)",
                                  numbers: Spread(values: published).numbers("published_per_s").merging(Spread(values: consumed).numbers("consumed_per_s")) { $1 },
                                  how: "\(shape); warren's bench client (as `warren bench`): one publisher with at most \(options.depth) unconfirmed, one consumer with prefetch \(options.depth) acking each message, both at once; transient messages, non-durable queue (in memory, like the Redis rows)"))
        return report(verdict: """
            Both move hundreds of thousands of small messages a second when the client pipelines; Redis does \
            less per message (no routing, no per-message acknowledgement, no confirm), so its pipelined list \
            is faster. Compare the Redis rows with redis-benchmark on the same server: when they are close, \
            the numbers measure the server, not warren's client.
            """, rows: rows)
    }

    private static func percent(_ ours: [Double], of reference: [Double]) -> String {
        let base = Spread(values: reference).median
        guard base > 0 else { return "?" }
        return "\(Int((Spread(values: ours).median / base * 100).rounded())) %"
    }

    /// Pushes `messages` bodies, then pops them, `depth` commands per round trip; both rates.
    private static func redisRun(_ redis: RedisClient, list: String, body: String, options: CompareOptions) async throws -> (Double, Double) {
        let push = try await pipelinedRate(redis, Array(repeating: ["LPUSH", list, body], count: options.depth), options: options)
        return (push, try await pipelinedRate(redis, Array(repeating: ["RPOP", list], count: options.depth), options: options))
    }

    /// Sends `batch` (cut short at the end) until `messages` commands went, one round trip per
    /// batch, all on the client's thread (no hop per batch, as redis-benchmark's event loop);
    /// commands per second.
    private static func pipelinedRate(_ redis: RedisClient, _ batch: [[String]], options: CompareOptions) async throws -> Double {
        let (messages, depth) = (options.messages, options.depth)
        return try await redis.withConnection { connection in
            let start = MessageStamp.now()
            for offset in stride(from: 0, to: messages, by: depth) {
                let commands = offset + depth <= messages ? batch : Array(batch.prefix(messages - offset))
                for reply in try connection.pipeline(commands) {
                    if case .error(let text) = reply { throw CompareError("\(name): \(text)") }
                }
            }
            return Double(messages) / (Double(MessageStamp.now() - start) / 1e9)
        }
    }

    /// XADD `messages` entries pipelined, then read them through a consumer group, `depth` per
    /// XREADGROUP, each batch's XACK pipelined with the next read; both rates.
    private static func streamRun(_ redis: RedisClient, stream: String, body: String, options: CompareOptions) async throws -> (Double, Double) {
        try await redis.command("DEL", stream)
        try await redis.command("XGROUP", "CREATE", stream, "readers", "$", "MKSTREAM")
        let add = try await pipelinedRate(redis, Array(repeating: ["XADD", stream, "*", "body", body], count: options.depth), options: options)
        let (messages, depth) = (options.messages, String(options.depth))
        let consume = try await redis.withConnection { connection in
            let start = MessageStamp.now()
            var read = 0
            var unacked: [String] = []
            while read < messages {
                var commands = [["XREADGROUP", "GROUP", "readers", "r", "COUNT", depth, "STREAMS", stream, ">"]]
                if !unacked.isEmpty { commands.insert(["XACK", stream, "readers"] + unacked, at: 0) }
                let replies = try connection.pipeline(commands)
                let entries = replies.last?.array?.first?.array?.last?.array ?? []
                guard !entries.isEmpty else { throw CompareError("\(name): the stream ran dry after \(read) entries") }
                unacked = entries.compactMap { $0.array?.first?.string }
                read += entries.count
            }
            if !unacked.isEmpty { _ = try connection.pipeline([["XACK", stream, "readers"] + unacked]) }
            return Double(read) / (Double(MessageStamp.now() - start) / 1e9)
        }
        try await redis.command("DEL", stream)
        return (add, consume)
    }
}
