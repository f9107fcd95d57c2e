import Metrics
import Synchronization

/// The TCP connections of one syslog listener: at most `limit` open at once (`syslog.max_connections`,
/// as syslog-ng's `max-connections()` and rsyslog's `MaxSessions`); one more is closed as soon as it
/// is accepted. Counts the refusals, the connections closed for holding a partial frame past
/// `syslog.partial_frame_timeout` and those a sender closed inside an octet-counted frame, as
/// atomics and as swift-metrics `warren_syslog_connections` (gauge), `warren_syslog_connections_refused_total`,
/// `warren_syslog_partial_frame_timeouts_total` and `warren_syslog_incomplete_frames_total` with
/// the dimension `listener`.
public final class SyslogConnectionSlots: Sendable {
    public let limit: Int
    public let open = Atomic<Int>(0)
    public let refused = Atomic<Int>(0)
    public let partialFrameTimeouts = Atomic<Int>(0)
    public let incompleteFrames = Atomic<Int>(0)
    private let openGauge: Gauge
    private let refusedCounter: Counter
    private let timeoutCounter: Counter
    private let incompleteFrameCounter: Counter

    public init(listener: String, limit: Int, factory: any MetricsFactory = MetricsSystem.factory) {
        self.limit = max(0, limit)
        let dimensions = [("listener", listener)]
        openGauge = Gauge(label: "warren_syslog_connections", dimensions: dimensions, factory: factory)
        refusedCounter = Counter(label: "warren_syslog_connections_refused_total", dimensions: dimensions, factory: factory)
        timeoutCounter = Counter(label: "warren_syslog_partial_frame_timeouts_total", dimensions: dimensions, factory: factory)
        incompleteFrameCounter = Counter(label: "warren_syslog_incomplete_frames_total", dimensions: dimensions, factory: factory)
    }

    /// Takes a slot for a connection just accepted; false (counted) when `limit` are open.
    func take() -> Bool {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        guard now <= limit else {
            open.wrappingSubtract(1, ordering: .relaxed)
            refused.add(1, ordering: .relaxed)
            refusedCounter.increment()
            return false
        }
        openGauge.record(now)
        return true
    }

    /// Gives back the slot of a connection that closed.
    func release() {
        openGauge.record(open.wrappingSubtract(1, ordering: .relaxed).newValue)
    }

    /// Counts a connection closed for a partial frame held past the timeout.
    func countPartialFrameTimeout() {
        partialFrameTimeouts.add(1, ordering: .relaxed)
        timeoutCounter.increment()
    }

    /// Counts a connection the sender closed inside an octet-counted frame (the frame is dropped).
    func countIncompleteFrame() {
        incompleteFrames.add(1, ordering: .relaxed)
        incompleteFrameCounter.increment()
    }
}
