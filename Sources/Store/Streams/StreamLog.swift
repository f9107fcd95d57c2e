import Broker
import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One stream's log: a directory of segment files (`<first offset>.segment`, append-only
/// entries) each with a sparse index (`<first offset>.index`). Used on the broker's event loop:
/// an append is written at once (to the page cache), and made durable by the store's writer
/// thread, which fsyncs what `takeSyncs` hands it; entries become readable once that is done.
public final class StreamLog: StreamLogAccess {
    /// Bytes between two sparse-index points.
    static let indexInterval = 4096
    let directory: String
    let retention: StreamRetention
    private let operations: FileOperations
    /// Oldest first; the last is the one being written.
    private(set) var segments: [StreamSegment]
    private var writer: (segment: Int32, index: StreamIndexFile)
    private var nextOffset: UInt64
    public var writtenOffset: UInt64 { nextOffset }
    public private(set) var committedOffset: UInt64
    private var lastTimestamp: Int64 = .min
    private var totalBytes: Int
    /// Descriptors (duplicates) the writer thread must fsync before the next commit counts.
    private var toSync: [Int32] = []
    private var activeWritten = false
    private var scratch = ByteBuffer()
    public var onCommitted: (() -> Void)?

    /// Opens the log in `directory`, creating it, or recovering it: the last segment is read to its
    /// end, cut at a torn or damaged entry, and its index rebuilt.
    init(directory: String, retention: StreamRetention, operations: FileOperations = .system) throws {
        self.directory = directory
        self.retention = retention
        self.operations = operations
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var recovered = try StreamRecovery.run(directory: directory, operations: operations)
        if recovered.isEmpty {
            recovered = [StreamSegment(firstOffset: 0)]
        }
        segments = recovered
        let active = recovered[recovered.count - 1]
        nextOffset = active.nextOffset
        committedOffset = active.nextOffset
        lastTimestamp = recovered.compactMap(\.lastTimestamp).max() ?? .min
        totalBytes = recovered.reduce(0) { $0 + $1.bytes }
        writer = try Self.openForWriting(directory: directory, active.firstOffset, operations: operations)
        guard fsyncDirectory(directory) == 0 else { throw StoreError.io("fsync \(directory)", errno) }
    }

    deinit {
        close(writer.segment)
        for descriptor in toSync { close(descriptor) }
    }

    func segmentPath(_ firstOffset: UInt64) -> String { directory + "/" + StreamSegment.baseName(firstOffset) + ".segment" }
    func indexPath(_ firstOffset: UInt64) -> String { directory + "/" + StreamSegment.baseName(firstOffset) + ".index" }

    private static func openForWriting(directory: String, _ firstOffset: UInt64,
                                       operations: FileOperations) throws -> (segment: Int32, index: StreamIndexFile) {
        let base = directory + "/" + StreamSegment.baseName(firstOffset)
        let descriptor = open(base + ".segment", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError.io("open \(base).segment", errno) }
        do {
            return (descriptor, try StreamIndexFile(path: base + ".index", operations: operations))
        } catch {
            close(descriptor)
            throw error
        }
    }

    public var status: StreamStatus {
        StreamStatus(firstOffset: firstOffset, nextOffset: committedOffset, bytes: totalBytes, segments: segments.count,
                     firstTimestamp: segments.lazy.compactMap(\.firstTimestamp).first,
                     lastTimestamp: segments.last?.lastTimestamp ?? segments.dropLast().last?.lastTimestamp)
    }

    var firstOffset: UInt64 { segments[0].firstOffset }

    public func append(_ entry: StreamEntry) throws -> UInt64 {
        // A segment holds at least one entry, whatever the limit (0 included).
        if segments[segments.count - 1].bytes >= retention.maxSegmentBytes, !segments[segments.count - 1].isEmpty { try roll() }
        var entry = entry
        entry.offset = nextOffset
        entry.timestamp = max(entry.timestamp, lastTimestamp)
        scratch.clear()
        StreamEntryCodec.write(entry, to: &scratch)
        let last = segments.count - 1
        let position = segments[last].bytes
        do {
            try scratch.withUnsafeReadableBytes { try operations.writeAll(writer.segment, $0, path: segmentPath(segments[last].firstOffset)) }
            if segments[last].indexes(position: position) {
                try writer.index.append(StreamIndexEntry(offset: entry.offset, timestamp: entry.timestamp, position: position))
                segments[last].lastIndexedPosition = position
            }
        } catch {
            // Nothing half-written stays: the segment is cut back to its last whole entry.
            _ = operations.ftruncate(writer.segment, position)
            throw error
        }
        segments[last].note(entry, at: position, size: scratch.readableBytes)
        totalBytes += scratch.readableBytes
        nextOffset += 1
        lastTimestamp = entry.timestamp
        activeWritten = true
        return entry.offset
    }

    /// Closes the segment being written (its fsync goes to the writer thread) and begins one
    /// named by the next offset; then applies the size limit.
    private func roll() throws {
        let next = try Self.openForWriting(directory: directory, nextOffset, operations: operations)
        toSync.append(dup(writer.segment))
        toSync.append(writer.index.duplicateDescriptor())
        toSync.append(open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
        close(writer.segment)
        writer = next
        activeWritten = false
        segments.append(StreamSegment(firstOffset: nextOffset))
        applyRetention(now: lastTimestamp)
    }

    /// What the writer thread must fsync for every entry appended so far to be durable, and the
    /// offset below which entries are then durable. The caller closes the descriptors.
    func takeSyncs() -> (descriptors: [Int32], through: UInt64)? {
        if activeWritten { toSync.append(dup(writer.segment)) }
        activeWritten = false
        guard !toSync.isEmpty || committedOffset < nextOffset else { return nil }
        defer { toSync.removeAll() }
        return (toSync, nextOffset)
    }

    /// Entries below `offset` are on disk: readers may have them.
    func committed(through offset: UInt64) {
        guard offset > committedOffset else { return }
        committedOffset = offset
        onCommitted?()
    }

    /// A failed fsync: the next commit syncs again every segment that holds an entry not yet
    /// durable (closed ones reopened by name), so no entry counts as durable without its fsync.
    func syncFailed() {
        activeWritten = true
        for segment in segments.dropLast() where segment.nextOffset > committedOffset {
            let descriptor = open(segmentPath(segment.firstOffset), O_RDONLY | O_CLOEXEC)
            if descriptor >= 0 { toSync.append(descriptor) }
        }
    }

    public func applyRetention(now: Int64) {
        var deleted = false
        while segments.count > 1 {
            let oldest = segments[0]
            let overSize = retention.maxBytes.map { totalBytes > $0 } ?? false
            let tooOld = retention.maxAge.map { maxAge in
                guard let last = oldest.lastTimestamp else { return true }
                let (age, overflow) = now.subtractingReportingOverflow(last)
                return !overflow && age > maxAge
            } ?? false
            guard overSize || tooOld else { break }
            unlink(segmentPath(oldest.firstOffset))
            unlink(indexPath(oldest.firstOffset))
            segments.removeFirst()
            totalBytes -= oldest.bytes
            deleted = true
        }
        if deleted { toSync.append(open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) }
    }

    public var retentionDeadline: Int64? {
        guard segments.count > 1, let maxAge = retention.maxAge, let last = segments[0].lastTimestamp else { return nil }
        let (deadline, overflow) = last.addingReportingOverflow(maxAge)
        return overflow ? nil : deadline + (deadline < .max ? 1 : 0)
    }

    public func reader(from start: StreamStart) -> any StreamReading {
        StreamLogReader(log: self, start: start)
    }

    /// Which segment holds `offset` (the first if it is older than the log, the last if newer).
    func segmentIndex(containing offset: UInt64) -> Int {
        var low = 0
        var high = segments.count
        while low < high {
            let middle = low + (high - low) / 2
            if segments[middle].firstOffset <= offset { low = middle + 1 } else { high = middle }
        }
        return max(0, low - 1)
    }

    /// The first segment with an entry stamped at or after `timestamp`, or nil when none has.
    func segmentIndex(reaching timestamp: Int64) -> Int? {
        segments.firstIndex { ($0.lastTimestamp ?? .min) >= timestamp }
    }

    /// Where to start reading a segment for an offset or a time: its index's last point before it.
    func indexPoint(in segment: StreamSegment, where isAtOrBefore: (StreamIndexEntry) -> Bool) -> Int {
        if segment.firstOffset == segments[segments.count - 1].firstOffset {
            return writer.index.lastEntry(where: isAtOrBefore)?.position ?? 0
        }
        guard let index = try? StreamIndexFile(path: indexPath(segment.firstOffset), writable: false) else { return 0 }
        return index.lastEntry(where: isAtOrBefore)?.position ?? 0
    }
}
