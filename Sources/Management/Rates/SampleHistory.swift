import DequeModule

/// One object's recent samples, oldest first, at most `capacity` of them: each a timestamp (ms)
/// and the object's counters and lengths then, in the order of `RateField.allCases`.
struct SampleHistory {
    struct Sample: Equatable {
        var time: Int64
        var values: [Int]
    }

    let capacity: Int
    private(set) var samples: Deque<Sample> = []

    init(capacity: Int) { self.capacity = max(capacity, 2) }

    mutating func record(time: Int64, values: [Int]) {
        if samples.count == capacity { samples.removeFirst() }
        samples.append(Sample(time: time, values: values))
    }

    /// Change per second of a value between the last two samples, 0 with fewer than two.
    func rate(_ index: Int) -> Double {
        guard samples.count >= 2, let last = samples.last else { return 0 }
        return Self.rate(from: samples[samples.count - 2], to: last, index)
    }

    /// The value as of `time`: that of the newest sample not after it (the oldest sample's before
    /// it; 0 with no samples).
    func value(_ index: Int, at time: Int64) -> Int {
        var low = 0, high = samples.count
        while low < high {
            let middle = (low + high) / 2
            if samples[middle].time <= time { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? samples.first?.values[index] ?? 0 : samples[low - 1].values[index]
    }

    static func rate(from earlier: Sample, to later: Sample, _ index: Int) -> Double {
        let milliseconds = later.time - earlier.time
        guard milliseconds > 0 else { return 0 }
        let change = Double(later.values[index]) - Double(earlier.values[index])
        return (change * 1000 / Double(milliseconds) * 10).rounded() / 10
    }
}
