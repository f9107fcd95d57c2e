import AMQPClient
import ArgumentParser
import Foundation

/// `warren bench`: producer → exchange → queue(s) → consumer throughput and latency against one
/// or more brokers, the same client for each.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure publish/consume throughput and latency through an exchange (the same client for every broker)."
    )

    @Option(name: .customLong("url"), help: "Broker to measure; repeat to compare (the first is the baseline of the ratios).")
    var urls: [String] = ["amqp://guest:guest@127.0.0.1:5672/%2F"]
    @Option(help: "Label of this scenario in --json output.") var label = "bench"
    @Option(help: "Messages per run.") var messages = 200_000
    @Option(help: "Body size in bytes (at least 8: the send-time stamp).") var size = 200
    @Option(help: "Publisher confirms with this window (0: no confirms).") var confirm = 0
    @Option(help: "Manual acks with this prefetch (0: no-ack consumer).") var prefetch = 0
    @Flag(help: "Persistent messages to durable queues.") var persistent = false
    @Option(name: .customLong("queue-type"), help: "x-queue-type of the bench queues (quorum on a RabbitMQ cluster; default: classic).")
    var queueType: String?
    @Option(help: "Exchange type: topic, direct or fanout.") var exchangeType = "topic"
    @Option(help: "Queues bound to the exchange, each consumed (fan-out: every message is delivered from each).") var queues = 1
    @Option(help: "Published-but-unconsumed messages per queue are capped at this (0: no cap, as a neutral client).")
    var maxInFlight = 20_000
    @Option(help: "Messages per second offered, open loop (0: as fast as possible); AMQP and syslog over UDP.") var rate = 0
    @Option(help: "Runs per broker; the median and the range are reported.") var runs = 1
    @Flag(help: "Print one JSON line per broker instead of text.") var json = false
    @Flag(help: "Backlog mode: publish with confirms into a queue nobody consumes, report the broker's RSS growth (needs --pid).")
    var backlog = false
    @Option(name: .customLong("pid"), help: "Backlog mode: the broker process of the --url of the same position, whose VmRSS is read.")
    var pids: [Int32] = []
    @Option(name: .customLong("syslog"), help: "Syslog ingest mode: send to tcp://HOST:PORT or udp://HOST:PORT, count what arrives on topic_logs at the --url of the same position.")
    var syslogTargets: [String] = []
    @Option(help: "TCP connections sending at once in syslog ingest mode.") var connections = 8
    @Flag(help: "Stream mode: publish into a stream queue with confirms, then replay it all from 'first' (--confirm and --prefetch set the windows).")
    var stream = false
    @Flag(help: "Stream mode: leave the stream in place afterwards.") var keep = false

    func validate() throws {
        try Self.check("--messages", messages, 1...1_000_000_000)
        try Self.check("--size", size, ThroughputBenchmark.Options.minimumSize...(128 << 20))
        try Self.check("--confirm", confirm, 0...1_000_000)
        try Self.check("--prefetch", prefetch, 0...Int(UInt16.max))
        try Self.check("--queues", queues, 1...10_000)
        try Self.check("--max-in-flight", maxInFlight, 0...1_000_000_000)
        try Self.check("--rate", rate, 0...10_000_000)
        try Self.check("--runs", runs, 1...1_000)
        try Self.check("--connections", connections, 1...10_000)
        guard ["topic", "direct", "fanout"].contains(exchangeType) else {
            throw ValidationError("--exchange-type must be topic, direct or fanout, not \(exchangeType.prefix(40))")
        }
        if backlog {
            guard pids.count == urls.count, pids.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("backlog mode needs one positive --pid per --url (\(pids.count) for \(urls.count))")
            }
        }
    }

    private static func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(name) must be in \(range.lowerBound)...\(range.upperBound), not \(value)")
        }
    }

    func run() async throws {
        if !syslogTargets.isEmpty { return try await runIngest() }
        if stream { return try await runStream() }
        var rows: [BenchRow] = []
        for (index, text) in urls.enumerated() {
            let url = try AMQPURL(text)
            let metrics: [BenchMetric]
            if backlog {
                metrics = try await measureBacklog(url, pid: pids[index])
            } else {
                metrics = try await measureThroughput(url)
            }
            rows.append(BenchRow(label: label, broker: url.description, metrics: metrics))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for row in rows { print(String(decoding: try encoder.encode(row), as: UTF8.self)) }
            return
        }
        print("\(label): \(summary), \(runs) run\(runs == 1 ? "" : "s"), median (min–max)")
        for row in rows {
            print("  \(row.broker)")
            for metric in row.metrics { print("    \(metric.name): \(metric.text)") }
        }
    }

    /// The options in words, for the text output.
    private var summary: String {
        var words = ["\(messages) msgs x \(size) B", "\(exchangeType) exchange"]
        if queues > 1 { words.append("\(queues) queues") }
        words.append(confirm == 0 ? "no confirms" : "confirms window \(confirm)")
        words.append(prefetch == 0 ? "no-ack" : "manual ack, prefetch \(prefetch)")
        if persistent { words.append("persistent") }
        if rate > 0 { words.append("open loop at \(rate) msg/s") }
        if backlog { words.append("backlog, nobody consuming") }
        return words.joined(separator: ", ")
    }

    var benchmarkOptions: ThroughputBenchmark.Options {
        var options = ThroughputBenchmark.Options()
        options.messages = messages
        options.size = size
        options.confirmWindow = confirm
        options.prefetch = prefetch
        options.persistent = persistent
        options.queueType = queueType
        options.exchangeType = exchangeType
        options.queues = queues
        options.maxInFlight = maxInFlight == 0 ? .max : maxInFlight
        options.rate = rate
        return options
    }
}
