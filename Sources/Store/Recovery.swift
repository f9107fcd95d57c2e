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
        /// When it was published (broker clock, ms); nil for records written before publish times were kept.
        public var publishedAt: Int64?
    }

    /// Per vhost and queue: the messages in publish order, with whether each was delivered before.
    public var queues: [String: [String: [(message: Message, redelivered: Bool)]]] = [:]
    /// Bytes cut off segments at a bad (torn or corrupt) record.
    public var discardedBytes = 0
    var references: [(id: UInt64, segment: UInt32, references: Int)] = []
    var nextID: UInt64 = 1
    var nextSegment: UInt32 = 1
    /// Segments deleted at startup: the oldest ones, up to the first that holds a live message.
    var emptySegments: [UInt32] = []
    var oldestKeptSegment: UInt32?
}

/// Reads every segment in order and rebuilds what is still queued. A record that is torn, fails
/// its checksum or does not parse ends its segment: the rest is cut off (durably) with a log line.
enum Recovery {
    /// A stored message while the log is read.
    struct Live {
        var message: RecoveredMessages.Message
        var vhost: String
        var segment: UInt32
        var queues: [String]
        var delivered: Set<String>
    }

    static func run(files: SegmentFiles, logger: Logger) throws -> RecoveredMessages {
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
                    // Only the tail of an append-only log can be torn, so a bad record ends what
                    // is readable in this segment: nothing after it is parsed, and no byte inside
                    // a message body can ever be taken for a record.
                    let discarded = buffer.writerIndex - start - offset
                    let what = if case .corrupt(let reason) = read { "corrupt record (\(reason))" } else { "torn record" }
                    logger.warning("store: \(what) in \(path) at offset \(offset): \(discarded) byte(s) discarded")
                    result.discardedBytes += discarded
                    try files.truncate(segment, at: offset)
                    break reading
                case .record(let outer):
                    let records: [StoreRecord] = if case .group(let grouped) = outer { grouped } else { [outer] }
                    for record in records { apply(record, segment: segment, to: &live, result: &result) }
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

    private static func apply(_ record: StoreRecord, segment: UInt32, to live: inout [UInt64: Live],
                              result: inout RecoveredMessages) {
        switch record {
        case .publish(let id, let vhost, let queues, let exchange, let routingKey, let properties, let body, let publishedAt):
            live[id] = Live(message: .init(id: id, exchange: exchange, routingKey: routingKey, properties: properties,
                                           body: body, publishedAt: publishedAt > 0 ? publishedAt : nil),
                            vhost: vhost, segment: segment, queues: queues, delivered: [])
            result.nextID = max(result.nextID, id + 1)  // ids below 2^63: checked when decoded
        case .delivered(let id, let queue):
            live[id]?.delivered.insert(queue)
        case .removed(let id, let queue):
            live[id]?.queues.removeAll { $0 == queue }
            if live[id]?.queues.isEmpty == true { live[id] = nil }
        case .group:
            break  // groups do not nest
        }
    }

    static func readWholeFile(_ path: String) throws -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw StoreError.io("read \(path): \(error.localizedDescription)", 0)
        }
    }
}
