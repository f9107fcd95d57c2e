/// How long to wait before the next round over an upstream's nodes: from `minimum`, doubling
/// after every failed round up to `maximum`, with "equal jitter" (half fixed, half random) so that
/// many collectors cut off together do not come back together. Pure; the caller supplies randomness.
public struct ReconnectBackoff: Sendable {
    public let minimumMilliseconds: Int
    public let maximumMilliseconds: Int
    private var failures = 0

    public init(minimumMilliseconds: Int, maximumMilliseconds: Int) {
        self.minimumMilliseconds = max(1, minimumMilliseconds)
        self.maximumMilliseconds = max(self.minimumMilliseconds, maximumMilliseconds)
    }

    /// The delay after one more failed round; `random` is in 0..<1.
    public mutating func nextDelay(random: Double) -> Int {
        let step = failures
        failures = min(failures + 1, 64)
        return Self.jittered(ceiling: ceiling(step: step), random: random)
    }

    /// A connection worked: the next failure starts from `minimum` again.
    public mutating func reset() {
        failures = 0
    }

    /// `minimum` doubled `step` times, at most `maximum`; never traps.
    public func ceiling(step: Int) -> Int {
        let shift = min(max(step, 0), 40)
        let (doubled, overflow) = minimumMilliseconds.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? maximumMilliseconds : min(doubled, maximumMilliseconds)
    }

    /// Equal jitter: half of `ceiling` fixed, the other half scaled by `random` (0..<1; anything else counts as 0 or 1).
    public static func jittered(ceiling: Int, random: Double) -> Int {
        let fraction = random.isFinite ? min(max(random, 0), 1) : 0
        return ceiling / 2 + Int((Double(ceiling - ceiling / 2) * fraction).rounded(.down))
    }
}
