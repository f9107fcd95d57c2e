import Broker
import Foundation

/// Reads a stream's directory at startup into its segments' numbers. Segments before the last
/// are trusted up to what their index and a short read after its last point show; the last one
/// is read from its last valid index point to its end, cut at the first torn or damaged entry
/// (the cut fsync'd), and its index cut to match. A segment whose index does not match it is
/// read whole and its index rebuilt. Offsets continue after the last entry kept, and the last
/// segment's file name keeps the next offset even when it holds no entry, so offsets never go back.
enum StreamRecovery {
    static func run(directory: String, operations: FileOperations) throws -> [StreamSegment] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        let offsets = names.filter { $0.hasSuffix(".segment") }.compactMap { UInt64($0.dropLast(8)) }.filter { $0 < 1 << 62 }.sorted()
        var segments: [StreamSegment] = []
        for (number, firstOffset) in offsets.enumerated() {
            let base = directory + "/" + StreamSegment.baseName(firstOffset)
            let isLast = number == offsets.count - 1
            let segment = try recover(base: base, firstOffset: firstOffset, cutTail: isLast, operations: operations)
            if segment.isEmpty && !isLast {
                // An empty segment that is not the last (a roll that crashed before its first write).
                unlink(base + ".segment")
                unlink(base + ".index")
                continue
            }
            segments.append(segment)
        }
        return segments
    }

    private static func recover(base: String, firstOffset: UInt64, cutTail: Bool, operations: FileOperations) throws -> StreamSegment {
        let index = try StreamIndexFile(path: base + ".index", operations: operations)
        let reader = try SegmentReader(path: base + ".segment")
        let fileLength = try length(of: base + ".segment")
        // Start from the last index point that names a real entry; an index that does not match is rebuilt.
        var start = StreamSegment(firstOffset: firstOffset)
        var keptPoints = 0
        if let first = index.entry(0), let point = lastValidPoint(index, reader: reader, fileLength: fileLength, firstOffset: firstOffset) {
            start.firstTimestamp = first.timestamp
            start.nextOffset = point.entry.offset
            start.bytes = point.entry.position
            start.lastIndexedPosition = point.entry.position
            keptPoints = point.count
        }
        try index.truncate(to: keptPoints)
        reader.seek(to: start.bytes)
        var segment = start
        scan: while true {
            switch reader.next(limit: fileLength) {
            case .entry(let entry, let position):
                guard entry.offset == segment.nextOffset, entry.timestamp >= (segment.lastTimestamp ?? .min) else { break scan }
                if position != segment.lastIndexedPosition, segment.indexes(position: position) {
                    try index.append(StreamIndexEntry(offset: entry.offset, timestamp: entry.timestamp, position: position))
                    segment.lastIndexedPosition = position
                }
                segment.note(entry, at: position, size: reader.position - position)
            case .end, .damaged:
                break scan
            case .failed(let error):
                throw error
            }
        }
        if cutTail && segment.bytes < fileLength {
            let descriptor = open(base + ".segment", O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw StoreError.io("open \(base).segment", errno) }
            defer { close(descriptor) }
            guard operations.ftruncate(descriptor, segment.bytes) == 0, operations.fsync(descriptor) == 0 else {
                throw StoreError.io("truncate \(base).segment", errno)
            }
        }
        return segment
    }

    /// The last index point (and how many points up to it) at which the segment really has the
    /// entry the point names, trying the last few from the end (a torn tail can only have
    /// invalidated the newest); nil means the segment is read from its start.
    private static func lastValidPoint(_ index: StreamIndexFile, reader: SegmentReader, fileLength: Int,
                                       firstOffset: UInt64) -> (entry: StreamIndexEntry, count: Int)? {
        var candidate = index.count - 1
        while candidate >= max(0, index.count - 8) {
            if let point = index.entry(candidate), point.position < fileLength, point.offset >= firstOffset {
                reader.seek(to: point.position)
                if case .entry(let entry, _) = reader.next(limit: fileLength), entry.offset == point.offset,
                   entry.timestamp == point.timestamp {
                    return (point, candidate + 1)
                }
            }
            candidate -= 1
        }
        return nil
    }

    private static func length(of path: String) throws -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { throw StoreError.io("stat \(path)", errno) }
        return Int(status.st_size)
    }
}
