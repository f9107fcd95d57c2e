/// Whether a queue is so far behind its consumers that the connections publishing to it must stop
/// being read: publisher credit, granted by the queue as it drains rather than per message.
///
/// A queue is behind once it has consumers and more than `high` ready messages (its consumers are
/// saturated: dispatch left that many waiting), and stays behind until it is down to `low` or has
/// no consumers any more. A queue without consumers never is: a log queue filling up for a reader
/// that comes later holds its backlog through paging, not by stalling its publishers. Nor is one
/// whose consumers all stopped reading their sockets (the broker counts only consumers that take).
public struct BacklogPressure: Sendable, Equatable {
    /// Ready messages above which a queue with consumers holds its publishers back.
    public static let defaultHigh = 1_000
    /// Ready messages at or below which it lets them go again.
    public static let defaultLow = 500

    public let high: Int
    public let low: Int
    public private(set) var isBehind = false

    /// Any values are accepted: `high` is at least 1, `low` at least 0 and below `high`.
    public init(high: Int = defaultHigh, low: Int = defaultLow) {
        self.high = max(1, high)
        self.low = min(max(0, low), self.high - 1)
    }

    public enum Change: Equatable, Sendable {
        case fellBehind, caughtUp
    }

    /// Records the queue's state after a dispatch; the change, if any.
    public mutating func update(ready: Int, hasConsumers: Bool) -> Change? {
        let behind = hasConsumers && (isBehind ? ready > low : ready > high)
        defer { isBehind = behind }
        switch (isBehind, behind) {
        case (false, true): return .fellBehind
        case (true, false): return .caughtUp
        default: return nil
        }
    }
}
