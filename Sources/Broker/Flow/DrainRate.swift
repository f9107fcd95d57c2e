/// How fast a queue's consumers take its messages, from its running count of deliveries read at
/// each look (the end of every burst that dispatched it, and the broker's timer): a rate measured
/// over sampling windows of at least `window` milliseconds, each window weighing half of the
/// estimate (so one gap on a busy loop does not zero it, nor one burst of a prefetch's worth of
/// deliveries make it), and when the count last moved.
///
/// Any values are accepted: a count that goes down (reset or wrapped), a clock that goes back or
/// jumps, Int.max counts and times restart the sample instead of trapping or inventing a rate.
struct DrainRate: Sendable {
    /// The shortest span a rate is measured over (broker-clock milliseconds).
    static let window: Int64 = 20

    /// Messages taken per second, estimated; 0 until a window completes.
    private(set) var perSecond = 0.0
    /// When the count was last seen to move.
    private(set) var lastTakenAt: Int64?
    private var lastSeen = 0
    private var sampleStart: (time: Int64, taken: Int)?

    /// Reads the queue's running count of messages taken at the broker-clock time `now`.
    mutating func observe(taken: Int, at now: Int64) {
        if taken != lastSeen { lastTakenAt = now }
        lastSeen = taken
        guard let start = sampleStart, case let (elapsed, overflow) = now.subtractingReportingOverflow(start.time), !overflow, elapsed >= 0,
              case let (count, wrapped) = taken.subtractingReportingOverflow(start.taken), !wrapped, count >= 0
        else {
            sampleStart = (now, taken)
            perSecond = 0
            return
        }
        guard elapsed >= Self.window else { return }
        perSecond = (perSecond + Double(count) * 1000 / Double(elapsed)) / 2
        sampleStart = (now, taken)
    }

    /// Whether the count moved within `span` milliseconds before `now` (not after it: a clock that
    /// went back is no evidence).
    func tookRecently(within span: Int64, now: Int64) -> Bool {
        guard let at = lastTakenAt else { return false }
        let (age, overflow) = now.subtractingReportingOverflow(at)
        return !overflow && age >= 0 && age <= span
    }

    /// Whether, at the measured rate, `count` messages are taken within `span` milliseconds.
    func clears(_ count: Int, within span: Int64) -> Bool {
        perSecond > 0 && Double(count) <= perSecond * Double(span) / 1000
    }
}
