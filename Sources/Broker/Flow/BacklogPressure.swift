/// Whether a queue is behind consumers that drain it fast, so that the connections publishing to
/// it must stop being read for a moment: publisher credit, granted by the queue as it drains
/// rather than per message (Docs/architecture.md, "Publisher credit").
///
/// A queue is behind when three things hold at once: it has more than `high` ready messages; its
/// consumers took a message within the last `freshness` milliseconds; and at their measured rate
/// they take `high` messages within `drainBound` milliseconds. It stays behind while all three
/// hold with `low` in place of `high`. Holding a publisher then buys freshness: the backlog it
/// waits for clears in tens of milliseconds. A queue without consumers, or whose consumers stalled
/// (prefetch full, never acking) or take messages slowly, is never behind: it grows and pages, as
/// in RabbitMQ, and its publishers go on. A hold is re-evaluated every `recheckInterval` by the
/// broker's timer even when every connection is quiet, so it never outlasts
/// `freshness + recheckInterval` without fresh evidence that consumers drain.
public struct BacklogPressure: Sendable {
    /// Ready messages above which a queue with fast consumers holds its publishers back.
    public static let defaultHigh = 500
    /// Consumers count as fast when they take `high` messages within this long (milliseconds).
    static let drainBound: Int64 = 50
    /// Consumers count as draining when they took a message within this long (milliseconds).
    static let freshness: Int64 = 50
    /// How often the broker's timer looks at a queue that holds publishers (milliseconds).
    static let recheckInterval: Int64 = 25

    public let high: Int
    public let low: Int
    public private(set) var isBehind = false
    /// When the broker's timer must look at the queue again; nil while it holds nobody.
    private(set) var recheckAt: Int64?
    private var drain = DrainRate()

    /// `low` is half of `high` unless given. Any values are accepted: `high` is at least 1, `low`
    /// at least 0 and below `high`.
    public init(high: Int = defaultHigh, low: Int? = nil) {
        self.high = max(1, high)
        self.low = min(max(0, low ?? self.high / 2), self.high - 1)
    }

    public enum Change: Equatable, Sendable {
        case fellBehind, caughtUp
    }

    /// Records the queue's state at broker-clock time `now` (after a dispatch, or on the timer):
    /// `ready` messages, `taken` its running count of deliveries, `hasConsumers` whether any
    /// consumer that counts is attached. Returns the change, if any.
    public mutating func update(ready: Int, taken: Int, hasConsumers: Bool, now: Int64) -> Change? {
        drain.observe(taken: taken, at: now)
        let draining = hasConsumers && drain.tookRecently(within: Self.freshness, now: now)
            && drain.clears(high, within: Self.drainBound)
        let behind = draining && ready > (isBehind ? low : high)
        defer { isBehind = behind }
        scheduleRecheck(behind: behind, now: now)
        switch (isBehind, behind) {
        case (false, true): return .fellBehind
        case (true, false): return .caughtUp
        default: return nil
        }
    }

    /// Keeps one recheck pending while behind, moved on only once it is due (or the clock went back).
    private mutating func scheduleRecheck(behind: Bool, now: Int64) {
        guard behind else {
            recheckAt = nil
            return
        }
        if let due = recheckAt, case let (wait, overflow) = due.subtractingReportingOverflow(now), !overflow,
           wait > 0, wait <= Self.recheckInterval { return }
        let (next, overflow) = now.addingReportingOverflow(Self.recheckInterval)
        recheckAt = overflow ? .max : next
    }
}
