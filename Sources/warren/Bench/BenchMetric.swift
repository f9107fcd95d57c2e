import Foundation

/// One figure of a `warren bench` row over its runs: the median and the range, with what makes
/// it better, so `Scripts/bench.sh` can put brokers side by side and say which way a ratio reads.
struct BenchMetric: Codable, Sendable {
    enum Better: String, Codable, Sendable { case higher, lower }

    var name: String
    var unit: String
    var better: Better
    var median: Double
    var min: Double
    var max: Double

    init(_ name: String, unit: String, better: Better, values: [Double]) {
        let spread = Spread(values: values)
        self.name = name
        self.unit = unit
        self.better = better
        median = spread.median
        min = spread.minimum
        max = spread.maximum
    }

    /// "123,456 msg/s (118,000–130,000)", or with two decimals for figures under 100.
    var text: String {
        "\(Self.format(median)) \(unit) (\(Self.format(min))–\(Self.format(max)))"
    }

    private static func format(_ value: Double) -> String {
        value.isFinite && abs(value) < 100 ? String(format: "%.2f", value) : Spread.grouped(value)
    }
}

/// The figures `warren bench` measured for one broker in one scenario (one JSON line with `--json`).
struct BenchRow: Codable, Sendable {
    var label: String
    var broker: String
    var metrics: [BenchMetric]
}
