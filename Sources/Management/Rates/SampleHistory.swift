import DequeModule

/// One object's samples, oldest first, in two tiers as RabbitMQ's retention policies keep them:
/// every sample (5 s apart) for the recent past, and for longer ranges one sample per coarse
/// interval (the newest taken in it). Each sample is a timestamp (ms) and the object's counters
/// and lengths then, in the order of `RateField.allCases`. Both tiers are bounded, so memory does
/// not grow with time or with what a client asks.
struct SampleHistory {
    struct Sample: Equatable {
        var time: Int64
        var values: [Int]
    }

    let capacity: Int
    let coarseCapacity: Int
    let coarseInterval: Int64
    private(set) var samples: Deque<Sample> = []
    private(set) var coarse: Deque<Sample> = []

    /// `capacity` recent samples; with a `coarseCapacity`, as many older ones `coarseInterval` ms apart.
    init(capacity: Int, coarseCapacity: Int = 0, coarseInterval: Int64 = 60_000) {
        self.capacity = max(capacity, 2)
        self.coarseCapacity = max(coarseCapacity, 0)
        self.coarseInterval = max(coarseInterval, 1)
    }

    mutating func record(time: Int64, values: [Int]) {
        let sample = Sample(time: time, values: values)
        if samples.count == capacity { samples.removeFirst() }
        samples.append(sample)
        guard coarseCapacity > 0 else { return }
        if let last = coarse.last, last.time.floorDivided(by: coarseInterval) == time.floorDivided(by: coarseInterval) {
            coarse[coarse.count - 1] = sample
        } else {
            if coarse.count == coarseCapacity { coarse.removeFirst() }
            coarse.append(sample)
        }
    }

    /// Change per second of a value between the last two samples, 0 with fewer than two.
    func rate(_ index: Int) -> Double {
        guard samples.count >= 2, let last = samples.last else { return 0 }
        return Self.rate(from: samples[samples.count - 2], to: last, index)
    }

    /// The value as of `time`: that of the newest sample not after it, from the recent tier when
    /// it reaches back that far, else from the coarse one (the oldest sample's before both; 0
    /// with no samples).
    func value(_ index: Int, at time: Int64) -> Int {
        if let oldest = samples.first, oldest.time <= time || coarse.isEmpty {
            return Self.value(index, at: time, in: samples)
        }
        return Self.value(index, at: time, in: coarse)
    }

    private static func value(_ index: Int, at time: Int64, in samples: Deque<Sample>) -> Int {
        var low = 0, high = samples.count
        while low < high {
            let middle = low + (high - low) / 2
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

extension Int64 {
    /// Division rounding towards minus infinity (the coarse interval a timestamp falls in).
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return self % divisor < 0 ? quotient - 1 : quotient
    }
}
