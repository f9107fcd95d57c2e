import AMQPClient

extension BenchCommand {
    /// `--runs` runs against `url`: consumed messages (deliveries, with several queues) per second
    /// and end-to-end latency percentiles; open loop (`--rate`), the latency alone.
    func measureThroughput(_ url: AMQPURL) async throws -> [BenchMetric] {
        var consumed: [Double] = []
        var published: [Double] = []
        var percentiles: [(p50: Double, p99: Double, p999: Double)] = []
        for _ in 0..<runs {
            let recorder = LatencyRecorder()
            let result = try await ThroughputBenchmark(url: url, options: benchmarkOptions,
                                                       onLatency: { recorder.record(nanoseconds: $0) }).run()
            consumed.append(result.consumedPerSecond)
            published.append(result.publishedPerSecond)
            let p = recorder.percentiles
            percentiles.append((p.p50, p.p99, p.p999))
        }
        let latency = [
            BenchMetric("latency p50", unit: "ms", better: .lower, values: percentiles.map { $0.p50 }),
            BenchMetric("latency p99", unit: "ms", better: .lower, values: percentiles.map { $0.p99 }),
        ]
        if rate > 0 {
            return latency + [BenchMetric("latency p99.9", unit: "ms", better: .lower, values: percentiles.map { $0.p999 })]
        }
        return [BenchMetric(queues > 1 ? "deliveries" : "consumed", unit: "msg/s", better: .higher, values: consumed),
                BenchMetric("published", unit: "msg/s", better: .higher, values: published)] + latency
    }
}
