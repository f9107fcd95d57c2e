/// Several runs of one measurement: the median and the range, as the throughput table shows them.
struct Spread {
    let values: [Double]

    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    var minimum: Double { values.min() ?? 0 }
    var maximum: Double { values.max() ?? 0 }

    /// "123,456 msg/s (118,000–130,000)".
    var text: String {
        "\(Self.grouped(median)) msg/s (\(Self.grouped(minimum))–\(Self.grouped(maximum)))"
    }

    func numbers(_ name: String) -> [String: Double] {
        ["\(name)_median": median.rounded(), "\(name)_min": minimum.rounded(), "\(name)_max": maximum.rounded()]
    }

    static func grouped(_ value: Double) -> String {
        guard value.isFinite, value < 1e15 else { return "?" }
        var digits = String(Int(value.rounded()))
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        return ([digits] + groups).joined(separator: ",")
    }
}
