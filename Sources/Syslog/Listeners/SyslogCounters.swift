import Metrics
import Synchronization

/// Entries received, published, repaired (RFC 3164 §4.3 fallbacks) and dropped (broken framing,
/// too large, or refused while the broker blocks publishers), per listener. Kept twice: as atomics
/// for the process itself (its logs, tests) and as swift-metrics counters
/// `warren_syslog_entries_{received,published,repaired,dropped}_total` with the dimension
/// `listener` (`udp://127.0.0.1:5514`), exported by whatever metrics backend is bootstrapped.
/// Both are advanced once per read burst (`add`), never per entry. Entries received are also
/// counted per severity (`receivedBySeverity`, the console's syslog intake chart).
public final class SyslogCounters: Sendable {
    public let listener: String
    public let received = Atomic<Int>(0)
    public let published = Atomic<Int>(0)
    public let repaired = Atomic<Int>(0)
    public let dropped = Atomic<Int>(0)
    private let metrics: [Counter]
    private let severities = Mutex<[Int]>(Array(repeating: 0, count: Severity.names.count))

    public static let metricLabels = ["received", "published", "repaired", "dropped"].map { "warren_syslog_entries_\($0)_total" }

    public init(listener: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.listener = listener
        metrics = Self.metricLabels.map { Counter(label: $0, dimensions: [("listener", listener)], factory: factory) }
    }

    /// `N received, N published, N repaired, N dropped`.
    public var summary: String {
        "\(received.load(ordering: .relaxed)) received, \(published.load(ordering: .relaxed)) published, "
            + "\(repaired.load(ordering: .relaxed)) repaired, \(dropped.load(ordering: .relaxed)) dropped"
    }

    /// Entries received so far per severity, in code order (emergency first).
    public var receivedBySeverity: [Int] { severities.withLock { $0 } }

    /// Adds what one burst collected.
    func add(_ tally: SyslogTally) {
        if tally.received > 0 {
            severities.withLock { counts in
                for (code, amount) in tally.bySeverity.enumerated() where amount > 0 { counts[code] &+= amount }
            }
        }
        if tally.received > 0 { received.add(tally.received, ordering: .relaxed) }
        if tally.published > 0 { published.add(tally.published, ordering: .relaxed) }
        if tally.repaired > 0 { repaired.add(tally.repaired, ordering: .relaxed) }
        if tally.dropped > 0 { dropped.add(tally.dropped, ordering: .relaxed) }
        for (metric, amount) in zip(metrics, [tally.received, tally.published, tally.repaired, tally.dropped]) where amount > 0 {
            metric.increment(by: Int64(amount))
        }
    }
}

/// What one read burst collected, counted in plain integers; added to the counters at its end.
struct SyslogTally {
    var received = 0
    var published = 0
    var repaired = 0
    var dropped = 0
    var bySeverity = Array(repeating: 0, count: Severity.names.count)

    mutating func count(_ entry: LogEntry) {
        received += 1
        let code = Int(entry.severity.rawValue)
        if code < bySeverity.count { bySeverity[code] += 1 }
        if entry.repaired { repaired += 1 }
    }

    /// Back to zero, keeping the per-severity storage.
    mutating func reset() {
        (received, published, repaired, dropped) = (0, 0, 0, 0)
        for code in bySeverity.indices { bySeverity[code] = 0 }
    }
}
