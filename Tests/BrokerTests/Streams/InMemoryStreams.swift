import NIOCore

@testable import Broker

/// Streams kept in arrays, for broker tests: an append is readable once `commitAll()` says it is
/// on disk, as the store's fsync does.
final class InMemoryStreams: StreamStorage {
    var logs: [String: InMemoryStreamLog] = [:]

    func open(vhost: String, queue: String, retention: StreamRetention) throws -> any StreamLogAccess {
        let log = logs[queue] ?? InMemoryStreamLog()
        logs[queue] = log
        return log
    }

    func remove(vhost: String, queue: String) { logs[queue] = nil }

    /// Makes every append readable and tells the broker, as the store's writer does after an fsync.
    func commitAll() {
        for log in logs.values { log.commit() }
    }
}

final class InMemoryStreamLog: StreamLogAccess {
    var entries: [StreamEntry] = []
    private(set) var committedOffset: UInt64 = 0
    var writtenOffset: UInt64 { UInt64(entries.count) }
    var onCommitted: (() -> Void)?
    var retentionDeadline: Int64? { nil }

    func append(_ entry: StreamEntry) throws -> UInt64 {
        var entry = entry
        entry.offset = UInt64(entries.count)
        entries.append(entry)
        return entry.offset
    }

    func commit() {
        guard committedOffset < writtenOffset else { return }
        committedOffset = writtenOffset
        onCommitted?()
    }

    var status: StreamStatus {
        StreamStatus(firstOffset: 0, nextOffset: committedOffset, bytes: 0, segments: 1,
                     firstTimestamp: entries.first?.timestamp, lastTimestamp: entries.last?.timestamp)
    }

    func reader(from start: StreamStart) -> any StreamReading {
        let next: UInt64 = switch start {
        case .first: 0
        case .last: committedOffset == 0 ? 0 : committedOffset - 1
        case .next: committedOffset
        case .offset(let offset): min(offset, committedOffset)
        case .timestamp(let time): UInt64(entries.firstIndex { $0.timestamp >= time } ?? entries.count)
        }
        return InMemoryReader(log: self, nextOffset: next)
    }

    func applyRetention(now: Int64) {}
}

final class InMemoryReader: StreamReading {
    let log: InMemoryStreamLog
    var nextOffset: UInt64

    init(log: InMemoryStreamLog, nextOffset: UInt64) {
        self.log = log
        self.nextOffset = nextOffset
    }

    func next() -> StreamEntry? {
        guard nextOffset < log.committedOffset else { return nil }
        defer { nextOffset += 1 }
        return log.entries[Int(nextOffset)]
    }
}
