import Syslog

/// The node's syslog intake: entries received by every syslog listener, per severity, sampled
/// with the overview's series and reported as `syslog_stats` in `GET /api/overview` (a warren
/// addition; RabbitMQ has no syslog).
struct SyslogIntake: Sendable {
    let counters: [SyslogCounters]

    /// Each severity's name and its index in a sample (its code).
    static let fields = Severity.names.enumerated().map { (name: $0.element, index: $0.offset) }

    /// Entries received so far per severity, summed over the listeners.
    func received() -> [Int] {
        counters.reduce(into: Array(repeating: 0, count: Severity.names.count)) { sum, listener in
            for (code, count) in listener.receivedBySeverity.enumerated() where code < sum.count { sum[code] &+= count }
        }
    }
}
