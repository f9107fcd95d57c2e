import ArgumentParser
import Foundation

/// `warren compare`: measures, on the spot, where Redis (lists, pub/sub, Streams) and AMQP queues
/// differ, with the Redis set-up a Redis expert would pick for each question.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Measure Redis (lists, pub/sub, Streams) against AMQP queues: crashes, restarts, fan-out, replay, speed.",
        discussion: """
            Starts what it needs on private ports in a temporary directory (redis-server processes, and a \
            private warren unless --url is given), runs the scenarios (all, or those named with --scenario) and \
            prints what it measured in this run, a verdict per scenario and how each number was obtained. \
            server-restart and slow-consumer always use servers of their own, because they kill or fill them. \
            Scenarios: \(CompareScenarios.names.joined(separator: ", ")).
            """
    )

    @Option(help: "AMQP broker for the scenarios that do not kill their server (default: a private warren).") var url: String?
    @Option(help: .hidden) var amqp: String?
    @Option(help: "Use this Redis instead of starting one (keys get a unique prefix and are deleted).") var redis: String?
    @Option(help: "Run only this scenario (repeatable).") var scenario: [String] = []
    @Flag(help: "Print the result as JSON (shape: Docs/redis-vs-mq.md).") var json = false
    @Option(help: "Writes per durability, counter and ordering scenario.") var count = CompareOptions().count
    @Option(help: "Messages per throughput run.") var messages = CompareOptions().messages
    @Option(help: "Throughput runs per system.") var runs = CompareOptions().runs
    @Option(help: "Pipeline depth (Redis) = confirm window and prefetch (AMQP).") var depth = CompareOptions().depth
    @Option(help: "Message size in bytes.") var size = CompareOptions().size
    @Option(help: "Open-loop latency rate in msg/s (repeatable; default 1000, 10000, 50000).") var rate: [Int] = []
    @Option(help: "Seconds of sending at each latency rate.") var latencySeconds = CompareOptions().latencySeconds
    @Option(help: "Slow consumer: Redis maxmemory and the AMQP queue's memory budget, MiB.") var memoryMib = CompareOptions().memoryMiB

    var compareRun: CompareRun {
        var options = CompareOptions()
        options.count = count
        options.messages = messages
        options.runs = runs
        options.depth = depth
        options.size = size
        if !rate.isEmpty { options.rates = rate }
        options.latencySeconds = latencySeconds
        options.memoryMiB = memoryMib
        return CompareRun(redis: redis, amqp: url ?? amqp, scenarios: scenario, options: options)
    }

    func validate() throws {
        if url != nil, amqp != nil { throw ValidationError("give --url or its old name --amqp, not both") }
        do { try compareRun.validate() } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let report = try await compareRun.run { line in
            FileHandle.standardError.write(Data("compare: \(line)\n".utf8))
        }
        print(json ? try report.json() : report.table())
    }
}
