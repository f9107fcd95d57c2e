import Logging

/// The first pass over the message log at startup: reads the segments in order, one at a time,
/// and keeps only which messages are still held, by which queues, and which were delivered (a
/// few bytes a message, see `LiveMessages`). A record that is torn, fails its checksum or does not
/// parse ends its segment: the rest is cut off (durably) with a log line. The second pass
/// (`RecoveredMessages.replay`) reads the live messages' content again, once the broker is ready
/// to page it.
enum Recovery {
    static func run(files: SegmentFiles, logger: Logger) throws -> RecoveredMessages {
        var result = RecoveredMessages(directory: files.directory)
        let segments = try files.existingSegments()
        for segment in segments {
            let path = files.path(segment)
            let ending = try MessageSegmentReader(path: path).forEachRecord { record, ordinal in
                apply(record, segment: segment, ordinal: ordinal, to: &result)
            }
            if case .bad(let offset, let discarded, let reason) = ending {
                logger.warning("store: \(reason) in \(path) at offset \(offset): \(discarded) byte(s) discarded")
                result.discardedBytes += discarded
                try files.truncate(segment, at: offset)
            }
        }
        result.live.forEachHeld { id, segment, references in
            result.index.set(id, segment: segment, references: UInt32(clamping: references))
            result.segmentReferences[segment, default: 0] += references
        }
        // Only a prefix: a later segment may carry the removals of an earlier, live one.
        let firstLive = segments.firstIndex { result.segmentReferences[$0] != nil } ?? segments.count
        result.emptySegments = Array(segments[..<firstLive])
        result.keptSegments = Array(segments[firstLive...])
        result.nextSegment = (segments.last ?? 0) + 1
        return result
    }

    private static func apply(_ record: StoreRecord, segment: UInt32, ordinal: UInt32, to result: inout RecoveredMessages) {
        switch record {
        case .publish(let id, let vhost, let queues, _, _, _, _, _):
            let numbers = queues.map { result.queueNames.number(vhost: vhost, queue: $0) }
            result.live.published(id, segment: segment, ordinal: ordinal, queues: numbers)
            result.nextID = max(result.nextID, id + 1)  // ids below 2^63: checked when decoded
        case .delivered(let id, let queue):
            let names = result.queueNames
            result.live.delivered(id) { names[$0].queue == queue }
        case .removed(let id, let queue):
            let names = result.queueNames
            result.live.removed(id) { names[$0].queue == queue }
        case .group:
            break  // groups do not nest
        }
    }
}
