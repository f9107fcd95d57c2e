import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One point of a segment's sparse index: the entry with this offset and timestamp starts at
/// this file position.
struct StreamIndexEntry: Equatable {
    static let size = 24
    var offset: UInt64
    var timestamp: Int64
    var position: Int
}

/// A segment's sparse index file (`.index`): fixed-size entries in offset order, written beside
/// the segment, read by binary search with one `pread` per probe. It is not fsync'd on every
/// write: recovery checks it against the segment and rebuilds what does not match.
final class StreamIndexFile {
    let path: String
    private let descriptor: Int32
    private let operations: FileOperations
    private(set) var count: Int

    /// Opens (creating it when `writable`) an index file.
    init(path: String, writable: Bool = true, operations: FileOperations = .system) throws {
        descriptor = writable ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io("open \(path)", errno) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw StoreError.io("stat \(path)", code)
        }
        self.path = path
        self.operations = operations
        self.count = Int(status.st_size) / StreamIndexEntry.size
    }

    deinit { close(descriptor) }

    /// A descriptor of the same file for the writer thread to fsync (and close).
    func duplicateDescriptor() -> Int32 { dup(descriptor) }

    func append(_ entry: StreamIndexEntry) throws {
        var bytes = ByteBuffer()
        bytes.writeInteger(entry.offset)
        bytes.writeInteger(entry.timestamp)
        bytes.writeInteger(UInt64(entry.position))
        let position = count * StreamIndexEntry.size
        let written = bytes.withUnsafeReadableBytes { raw in pwrite(descriptor, raw.baseAddress, raw.count, off_t(position)) }
        guard written == StreamIndexEntry.size else { throw StoreError.io("write \(path)", written < 0 ? errno : 0) }
        count += 1
    }

    /// Keeps the first `count` entries.
    func truncate(to count: Int) throws {
        guard operations.ftruncate(descriptor, count * StreamIndexEntry.size) == 0 else {
            throw StoreError.io("truncate \(path)", errno)
        }
        self.count = min(self.count, count)
    }

    func entry(_ index: Int) -> StreamIndexEntry? {
        guard index >= 0, index < count else { return nil }
        var bytes = ByteBuffer()
        let read = bytes.writeWithUnsafeMutableBytes(minimumWritableBytes: StreamIndexEntry.size) { raw in
            max(0, pread(descriptor, raw.baseAddress, StreamIndexEntry.size, off_t(index * StreamIndexEntry.size)))
        }
        guard read == StreamIndexEntry.size, let offset = bytes.readInteger(as: UInt64.self),
              let timestamp = bytes.readInteger(as: Int64.self), let position = bytes.readInteger(as: UInt64.self),
              position <= UInt64(Int.max) else { return nil }
        return StreamIndexEntry(offset: offset, timestamp: timestamp, position: Int(position))
    }

    /// The last entry for which `isAtOrBefore` holds, the entries being ordered so that it holds
    /// for a prefix (by offset, or by timestamp, which never decreases): a binary search.
    func lastEntry(where isAtOrBefore: (StreamIndexEntry) -> Bool) -> StreamIndexEntry? {
        var low = 0
        var high = count
        while low < high {
            let middle = low + (high - low) / 2
            guard let entry = entry(middle) else { return nil }
            if isAtOrBefore(entry) { low = middle + 1 } else { high = middle }
        }
        return entry(low - 1)
    }
}
