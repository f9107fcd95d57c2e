import Foundation
import Logging
import NIOCore

/// What the message log held at startup.
public struct RecoveredMessages: Sendable {
    /// One stored message still held by at least one queue.
    public struct Message: Sendable {
        public var id: UInt64
        public var exchange: String
        public var routingKey: String
        public var properties: ByteBuffer
        public var body: ByteBuffer
    }

    /// Per vhost and queue: the messages in publish order, with whether each was delivered before.
    public var queues: [String: [String: [(message: Message, redelivered: Bool)]]] = [:]
    /// Corrupt records skipped in the middle of a segment.
    public var corruptRecords = 0
    var references: [(id: UInt64, segment: UInt32, references: Int)] = []
    var nextID: UInt64 = 1
    var nextSegment: UInt32 = 1
    /// Segments deleted at startup: the oldest ones, up to the first that holds a live message.
    var emptySegments: [UInt32] = []
    var oldestKeptSegment: UInt32?
}

/// Reads every segment in order and rebuilds what is still queued. A record whose checksum fails
/// is skipped (and counted); a torn record at the end of a segment is cut off with a log line.
enum Recovery {
    static func run(files: SegmentFiles, logger: Logger) throws -> RecoveredMessages {
        struct Live {
            var message: RecoveredMessages.Message
            var vhost: String
            var segment: UInt32
            var queues: [String]
            var delivered: Set<String>
        }
        var result = RecoveredMessages()
        var live: [UInt64: Live] = [:]
        let segments = try files.existingSegments()
        for segment in segments {
            let path = files.path(segment)
            var buffer = try readWholeFile(path)
            let start = buffer.readerIndex
            reading: while true {
                let offset = buffer.readerIndex - start
                let read = StoreRecord.read(from: &buffer)
                switch read {
                case .end:
                    break reading
                case .torn, .corrupt:
                    // A damaged record. When its length leads to a record boundary (or the end),
                    // only its checksum or payload is bad: skip exactly it. Otherwise go on at the
                    // next offset where a whole record checks out; if there is none, this was the
                    // torn tail of a crash.
                    let next: Int?
                    if case .corrupt(let length) = read, isBoundary(in: buffer, at: start + offset + length) {
                        next = start + offset + length
                    } else {
                        next = nextValidRecord(in: buffer, after: start + offset)
                    }
                    guard let next else {
                        logger.warning("store: torn or corrupt record at the end of \(path), offset \(offset): dropped")
                        try files.truncate(segment, at: offset)
                        break reading
                    }
                    logger.warning("store: corrupt record in \(path) at offset \(offset): skipped \(next - start - offset) bytes")
                    result.corruptRecords += 1
                    buffer.moveReaderIndex(to: next)
                case .record(let outer):
                    let records: [StoreRecord] = if case .group(let grouped) = outer { grouped } else { [outer] }
                    for record in records {
                    switch record {
                    case .publish(let id, let vhost, let queues, let exchange, let routingKey, let properties, let body):
                        live[id] = Live(message: .init(id: id, exchange: exchange, routingKey: routingKey,
                                                       properties: properties, body: body),
                                        vhost: vhost, segment: segment, queues: queues, delivered: [])
                        result.nextID = max(result.nextID, id + 1)
                    case .delivered(let id, let queue):
                        live[id]?.delivered.insert(queue)
                    case .removed(let id, let queue):
                        live[id]?.queues.removeAll { $0 == queue }
                        if live[id]?.queues.isEmpty == true { live[id] = nil }
                    case .group:
                        break  // groups do not nest
                    }
                    }
                }
            }
        }
        var liveSegments = Set<UInt32>()
        for id in live.keys.sorted() {
            guard let entry = live[id] else { continue }
            liveSegments.insert(entry.segment)
            result.references.append((id, entry.segment, entry.queues.count))
            for queue in entry.queues {
                result.queues[entry.vhost, default: [:]][queue, default: []].append((entry.message, entry.delivered.contains(queue)))
            }
        }
        // Only a prefix: a later segment may carry the removals of an earlier, live one.
        let firstLive = segments.firstIndex(where: liveSegments.contains) ?? segments.count
        result.emptySegments = Array(segments[..<firstLive])
        result.oldestKeptSegment = firstLive < segments.count ? segments[firstLive] : nil
        result.nextSegment = (segments.last ?? 0) + 1
        return result
    }

    /// Whether a complete record with a matching checksum starts at `index`, or the data ends there.
    static func isBoundary(in buffer: ByteBuffer, at index: Int) -> Bool {
        if index == buffer.writerIndex { return true }
        var probe = buffer
        probe.moveReaderIndex(to: index)
        if case .record = StoreRecord.read(from: &probe) { return true }
        return false
    }

    /// The first reader index after `index` at which a complete record with a matching checksum starts.
    static func nextValidRecord(in buffer: ByteBuffer, after index: Int) -> Int? {
        var candidate = index + 1
        let end = buffer.writerIndex
        while candidate + StoreRecord.headerSize <= end {
            var probe = buffer
            probe.moveReaderIndex(to: candidate)
            if case .record = StoreRecord.read(from: &probe) { return candidate }
            candidate += 1
        }
        return nil
    }

    private static func readWholeFile(_ path: String) throws -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw StoreError.io("read \(path): \(error.localizedDescription)", 0)
        }
    }
}
