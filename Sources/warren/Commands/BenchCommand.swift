import AMQPClient
import ArgumentParser
import Foundation

/// `warren bench`: producer → topic exchange → consumer throughput against one or more brokers.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure publish/consume throughput through a topic exchange (the same client for every broker)."
    )

    @Option(name: .customLong("url"), help: "Broker to measure; repeat to compare (the first is the baseline of the ratios).")
    var urls: [String] = ["amqp://guest:guest@127.0.0.1:5672/%2F"]
    @Option(help: "Messages per run.") var messages = 200_000
    @Option(help: "Body size in bytes.") var size = 200
    @Option(help: "Publisher confirms with this window (0: no confirms).") var confirm = 0
    @Option(help: "Manual acks with this prefetch (0: no-ack consumer).") var prefetch = 0
    @Flag(help: "Persistent messages to a durable queue.") var persistent = false
    @Option(name: .customLong("queue-type"), help: "x-queue-type of the bench queue (quorum on a RabbitMQ cluster; default: classic).")
    var queueType: String?
    @Option(help: "Runs per broker; the best is reported.") var runs = 1
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(name: .customLong("syslog"), help: "Syslog ingest mode: send to tcp://HOST:PORT or udp://HOST:PORT, count what arrives on topic_logs at the --url of the same position.")
    var syslogTargets: [String] = []
    @Option(help: "TCP connections sending at once in syslog ingest mode.") var connections = 8
    @Option(help: "Syslog ingest over UDP: datagrams per second offered (0: as fast as possible).") var rate = 0
    @Flag(help: "Stream mode: publish into a stream queue with confirms, then replay it all from 'first' (--confirm and --prefetch set the windows).")
    var stream = false
    @Flag(help: "Stream mode: leave the stream in place afterwards.") var keep = false

    func run() async throws {
        if !syslogTargets.isEmpty { return try await runIngest() }
        if stream { return try await runStream() }
        var options = ThroughputBenchmark.Options()
        options.messages = messages
        options.size = size
        options.confirmWindow = confirm
        options.prefetch = prefetch
        options.persistent = persistent
        options.queueType = queueType
        var rows: [(String, ThroughputBenchmark.Result)] = []
        for text in urls {
            let url = try AMQPURL(text)
            var best: ThroughputBenchmark.Result?
            for _ in 0..<max(1, runs) {
                let result = try await ThroughputBenchmark(url: url, options: options).run()
                if result.consumedPerSecond > best?.consumedPerSecond ?? -1 { best = result }
            }
            if let best { rows.append((url.description, best)) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for (url, result) in rows {
                let line = String(decoding: try encoder.encode(result), as: UTF8.self)
                print("{\"url\":\"\(url)\",\"result\":\(line)}")
            }
            return
        }
        print("mode: \(messages) msgs x \(size) B, confirms \(confirm == 0 ? "off" : "window \(confirm)"), "
              + "\(prefetch == 0 ? "no-ack" : "manual ack, prefetch \(prefetch)")\(persistent ? ", persistent" : "")"
              + (queueType.map { ", \($0) queue" } ?? ""))
        let baseline = rows.first?.1.consumedPerSecond ?? 1
        for (url, result) in rows {
            let ratio = result.consumedPerSecond / baseline
            print(String(format: "%-45@ publish %10.0f msg/s   consume %10.0f msg/s   x%.2f", url as NSString,
                         result.publishedPerSecond, result.consumedPerSecond, ratio))
        }
    }
}
