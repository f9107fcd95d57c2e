import AMQPClient
import ArgumentParser
import Foundation

extension BenchCommand {
    /// `warren bench --syslog tcp://…:5514 --url amqp://… [--syslog … --url …]`: syslog ingest
    /// through each pipeline in turn; the first is the baseline of the ratios.
    func runIngest() async throws {
        guard syslogTargets.count == urls.count else {
            throw ValidationError("syslog ingest mode pairs each --syslog with a --url: \(syslogTargets.count) vs \(urls.count)")
        }
        var rows: [(String, IngestBenchmark.Result)] = []
        for (target, url) in zip(try syslogTargets.map(SyslogTarget.init), try urls.map(AMQPURL.init)) {
            var best: IngestBenchmark.Result?
            for _ in 0..<max(1, runs) {
                var benchmark = IngestBenchmark(target: target, url: url, messages: messages, size: size, connections: connections)
                benchmark.rate = rate
                let result = try await benchmark.run()
                if result.receivedPerSecond > best?.receivedPerSecond ?? -1 { best = result }
            }
            if let best { rows.append(("\(target) -> \(url.host):\(url.port)", best)) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for (pipeline, result) in rows {
                print("{\"pipeline\":\"\(pipeline)\",\"result\":\(String(decoding: try encoder.encode(result), as: UTF8.self))}")
            }
            return
        }
        let udp = syslogTargets.first?.hasPrefix("udp") == true
        let load = udp ? "1 UDP sender, " + (rate > 0 ? "\(rate)/s offered" : "flat out") : "\(connections) TCP connections"
        print("syslog ingest: \(messages) entries x \(size) B, \(load)")
        let baseline = rows.first?.1.receivedPerSecond ?? 1
        for (pipeline, result) in rows {
            print(String(format: "%-50@ received %9d/%-9d %10.0f entries/s   lost %7d   x%.2f", pipeline as NSString,
                         result.received, result.sent, result.receivedPerSecond, result.lost, result.receivedPerSecond / baseline))
        }
    }
}
