import AMQPClient
import Foundation

/// `warren bench --stream`: publish into a stream with confirms, then replay from `first`.
extension BenchCommand {
    func runStream() async throws {
        var options = ThroughputBenchmark.Options()
        options.messages = messages
        options.size = size
        options.confirmWindow = max(confirm, 1)
        options.prefetch = max(prefetch, 1)
        print("stream: \(messages) entries x \(size) B, publish with confirms (window \(options.confirmWindow)), "
              + "replay from first (prefetch \(options.prefetch), manual ack)")
        var baseline: Double?
        for text in urls {
            let url = try AMQPURL(text)
            let result = try await StreamBenchmark(url: url, options: options, keep: keep).run()
            let ratio = result.replayedPerSecond / (baseline ?? result.replayedPerSecond)
            baseline = baseline ?? result.replayedPerSecond
            print(String(format: "%-45@ publish %10.0f msg/s   replay %10.0f msg/s   x%.2f", url.description as NSString,
                         result.publishedPerSecond, result.replayedPerSecond, ratio))
        }
    }
}
