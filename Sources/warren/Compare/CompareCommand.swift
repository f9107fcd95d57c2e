import AMQPClient
import ArgumentParser
import Foundation
import Redis

/// `warren compare`: measures, on the spot, where Redis lists and pub/sub differ from AMQP queues.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Measure Redis lists/pub-sub against AMQP queues: crashes, restarts, fan-out, speed, counters.",
        discussion: """
            Starts what it needs on private ports in a temporary directory (redis-server processes, and a \
            private warren unless --amqp is given), runs five scenarios and prints what it measured in this \
            run, with how each number was obtained. Scenario 2 kills and restarts the servers it started itself.
            """
    )

    @Option(help: "Use this Redis for scenarios 1, 3, 4 and 5 instead of starting one (its keys get a unique prefix).") var redis: String?
    @Option(help: "Use this AMQP broker for scenarios 1, 3, 4 and 5 instead of a private warren.") var amqp: String?
    @Option(help: "Writes per durability and counter scenario.") var count = 1000
    @Option(help: "Messages per throughput run.") var messages = 20000
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        if count < 1 || messages < 1 { throw ValidationError("--count and --messages must be at least 1") }
    }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warren-compare-\(getpid())").path
        defer { if ProcessInfo.processInfo.environment["WARREN_COMPARE_KEEP"] == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var started: [() -> Void] = []
        defer { started.forEach { $0() } }
        let redisURL: RedisURL
        if let redis {
            guard let url = RedisURL(redis) else { throw ValidationError("--redis must be redis://host[:port][/db]") }
            redisURL = url
        } else {
            let server = try PrivateRedis(directory: directory + "/redis", persistence: .none)
            try await server.start()
            started.append(server.stop)
            redisURL = server.url
        }
        let amqpURL: AMQPURL
        if let amqp {
            amqpURL = try AMQPURL(amqp)
        } else {
            let warren = try PrivateWarren(directory: directory + "/warren")
            try await warren.start()
            started.append(warren.stop)
            amqpURL = warren.url
        }
        let context = CompareContext(redis: redisURL, amqp: amqpURL, directory: directory, count: count,
                                     prefix: "warren-compare-\(getpid())")
        var rows = try await ConsumerCrashScenario.run(context)
        rows += try await ServerRestartScenario.run(context)
        rows += try await FanOutScenario.run(context)
        rows += try await ThroughputScenario.run(context, messages: messages)
        rows += try await CountersScenario.run(context)
        print(json ? ComparisonRow.json(rows) : ComparisonRow.table(rows))
    }
}
