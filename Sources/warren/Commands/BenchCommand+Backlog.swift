import AMQPClient
import NIOConcurrencyHelpers

extension BenchCommand {
    /// `--runs` backlogs of `--messages` into a queue nobody consumes, published with confirms:
    /// the broker's VmRSS before, and while it holds them (the queue is deleted after each run).
    func measureBacklog(_ url: AMQPURL, pid: Int32) async throws -> [BenchMetric] {
        var options = benchmarkOptions
        options.consume = false
        options.confirmWindow = max(options.confirmWindow, 1)
        var before: [Double] = []
        var holding: [Double] = []
        for _ in 0..<runs {
            let start = try ProcessMemory.residentBytes(of: pid)
            let holdingBytes = NIOLockedValueBox(0)
            _ = try await ThroughputBenchmark(url: url, options: options, whilePublished: {
                let bytes = try ProcessMemory.residentBytes(of: pid)
                holdingBytes.withLockedValue { $0 = bytes }
            }).run()
            before.append(Double(start) / 1e6)
            holding.append(Double(holdingBytes.withLockedValue { $0 }) / 1e6)
        }
        let perMessage = zip(before, holding).map { ($1 - $0) * 1e6 / Double(messages) }
        return [BenchMetric("RSS before", unit: "MB", better: .lower, values: before),
                BenchMetric("RSS holding the backlog", unit: "MB", better: .lower, values: holding),
                BenchMetric("RSS growth per message", unit: "B", better: .lower, values: perMessage)]
    }
}
