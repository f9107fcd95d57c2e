import Broker

/// A reader of a stream log: it reads forward from its start through one segment reader at a
/// time (a bounded buffer), returns only entries already on disk, moves on to the next segment
/// at the end of one, and jumps to the first kept entry when retention deleted what it was at.
final class StreamLogReader: StreamReading {
    private let log: StreamLog
    private(set) var nextOffset: UInt64
    /// Entries stamped before this are skipped (a start by timestamp, until the first is found).
    private var notBefore: Int64?
    private var current: (firstOffset: UInt64, reader: SegmentReader)?

    init(log: StreamLog, start: StreamStart) {
        self.log = log
        let status = log.status
        switch start {
        case .first: nextOffset = status.firstOffset
        case .last: nextOffset = max(status.firstOffset, status.nextOffset == 0 ? 0 : status.nextOffset - 1)
        case .next: nextOffset = status.nextOffset
        case .offset(let offset): nextOffset = min(max(offset, status.firstOffset), status.nextOffset)
        case .timestamp(let time):
            nextOffset = status.nextOffset
            if let segment = log.segmentIndex(reaching: time) {
                nextOffset = log.segments[segment].firstOffset
                notBefore = time
            }
        }
    }

    func next() -> StreamEntry? {
        while nextOffset < log.committedOffset {
            if nextOffset < log.firstOffset { restart(at: log.firstOffset) }
            guard let (firstOffset, reader) = currentReader() else { return nil }
            let segment = log.segmentIndex(containing: firstOffset)
            guard log.segments[segment].firstOffset == firstOffset else {
                // Deleted by retention while being read.
                restart(at: log.firstOffset)
                continue
            }
            switch reader.next(limit: log.segments[segment].bytes) {
            case .entry(let entry, let position):
                if entry.offset < nextOffset { continue }
                guard entry.offset < log.committedOffset else {
                    reader.seek(to: position)
                    return nil
                }
                nextOffset = entry.offset + 1
                if let notBefore, entry.timestamp < notBefore { continue }
                notBefore = nil
                return entry
            case .end, .damaged, .failed:
                // The end of a segment (or what of it can be read): the next one, if there is one.
                guard segment + 1 < log.segments.count else { return nil }
                restart(at: max(nextOffset, log.segments[segment + 1].firstOffset))
            }
        }
        return nil
    }

    private func restart(at offset: UInt64) {
        nextOffset = offset
        current = nil
    }

    /// The reader of the segment holding `nextOffset`, opened at its index point for it (for a
    /// start by time, at the point for that time).
    private func currentReader() -> (UInt64, SegmentReader)? {
        if let current { return current }
        let segment = log.segments[log.segmentIndex(containing: nextOffset)]
        let position: Int
        if let notBefore {
            position = log.indexPoint(in: segment) { $0.timestamp < notBefore }
        } else {
            let offset = nextOffset
            position = log.indexPoint(in: segment) { $0.offset <= offset }
        }
        guard let reader = try? SegmentReader(path: log.segmentPath(segment.firstOffset), position: position) else { return nil }
        current = (segment.firstOffset, reader)
        return current
    }
}
