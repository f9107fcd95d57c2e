/// The sizes of a `warren compare` run; the CLI flags and the body of `POST /api/compare` set them.
/// Every value is checked by `validate()` before anything starts, so scenarios can trust them.
struct CompareOptions: Sendable, Codable {
    /// Writes per durability, counter and ordering scenario.
    var count = 1000
    /// Messages per throughput run.
    var messages = 200_000
    /// Throughput runs per system (the table shows the median and the spread).
    var runs = 3
    /// Pipeline depth on the Redis side, confirm window and prefetch on the AMQP side.
    var depth = 100
    /// Message size in bytes for throughput and latency.
    var size = 200
    /// Open-loop send rates for the latency scenario, messages per second.
    var rates = [1000, 10_000, 50_000]
    /// Seconds of sending at each latency rate.
    var latencySeconds = 3.0
    /// Slow-consumer scenario: Redis maxmemory and the AMQP queue's in-memory budget, in MiB.
    var memoryMiB = 32

    static let limits = (count: 1...1_000_000, messages: 1...10_000_000, runs: 1...20, depth: 1...10_000,
                         size: 32...1_048_576, rate: 1...1_000_000, rates: 1...10, latencySeconds: 0.1...300.0,
                         memoryMiB: 2...4096)

    func validate() throws(CompareError) {
        let limits = Self.limits
        func check(_ value: Int, _ range: ClosedRange<Int>, _ name: String) throws(CompareError) {
            guard range.contains(value) else { throw CompareError("\(name) must be within \(range.lowerBound)...\(range.upperBound), got \(value)") }
        }
        try check(count, limits.count, "count")
        try check(messages, limits.messages, "messages")
        try check(runs, limits.runs, "runs")
        try check(depth, limits.depth, "depth")
        try check(size, limits.size, "size")
        try check(rates.count, limits.rates, "the number of rates")
        for rate in rates { try check(rate, limits.rate, "rate") }
        try check(memoryMiB, limits.memoryMiB, "memory-mib")
        guard latencySeconds.isFinite, limits.latencySeconds.contains(latencySeconds) else {
            throw CompareError("latency-seconds must be within 0.1...300")
        }
    }
}
