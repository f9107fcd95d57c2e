import Synchronization

/// Entries received, repaired (RFC 3164 §4.3 fallbacks) and dropped (broken framing), per listener.
public final class SyslogCounters: Sendable {
    public let received = Atomic<Int>(0)
    public let repaired = Atomic<Int>(0)
    public let dropped = Atomic<Int>(0)

    public init() {}

    func count(_ entry: LogEntry) {
        received.add(1, ordering: .relaxed)
        if entry.repaired { repaired.add(1, ordering: .relaxed) }
    }
}
