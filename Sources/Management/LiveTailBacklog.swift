import DequeModule
import Hummingbird
import Synchronization

/// The events a live-tail page has not yet been sent, bounded in bytes: when the browser reads
/// more slowly than entries arrive, the oldest events are dropped and counted, so a slow page
/// costs at most `limit` bytes and is told how many entries it missed.
struct LiveTailBacklog: Sendable {
    /// 1 MiB of events: thousands of typical entries.
    static let defaultLimit = 1 << 20

    let limit: Int
    private var events = Deque<ByteBuffer>()
    private var bytes = 0
    /// Events dropped since the last `takeAll`.
    private(set) var dropped = 0

    init(limit: Int = Self.defaultLimit) {
        self.limit = limit
    }

    /// Adds an event, dropping the oldest ones while the backlog is over its limit (the newest
    /// event is always kept, whatever its size).
    mutating func append(_ event: ByteBuffer) {
        events.append(event)
        bytes += event.readableBytes
        while bytes > limit, events.count > 1, let oldest = events.popFirst() {
            bytes -= oldest.readableBytes
            dropped += 1
        }
    }

    /// Everything waiting, in order, and how many events were dropped before it.
    mutating func takeAll() -> (events: ByteBuffer, dropped: Int) {
        var joined = ByteBuffer()
        joined.reserveCapacity(bytes)
        for var event in events { joined.writeBuffer(&event) }
        defer {
            events.removeAll()
            bytes = 0
            dropped = 0
        }
        return (joined, dropped)
    }
}

/// A `LiveTailBacklog` shared by the task that takes the broker's deliveries and the one writing the page.
final class SharedLiveTailBacklog: Sendable {
    private let backlog = Mutex(LiveTailBacklog())

    func append(_ event: ByteBuffer) {
        backlog.withLock { $0.append(event) }
    }

    func takeAll() -> (events: ByteBuffer, dropped: Int) {
        backlog.withLock { $0.takeAll() }
    }
}
