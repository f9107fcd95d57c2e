import Broker
import NIOCore

/// Frames whose write to a page file failed, kept in memory on the paging thread until they are
/// written after all, read, or no longer needed (their file emptied or deleted). Per file they
/// are sorted by offset, so the frame of a location is found by binary search.
struct UnwrittenFrames {
    /// One failed write: where its frames were to go and their bytes.
    struct Write {
        var file: UInt32
        var offset: Int64
        var frames: ByteBuffer

        var end: Int64 { offset + Int64(frames.readableBytes) }
    }

    private var byFile: [UInt32: [Write]] = [:]
    /// Bytes of frames kept.
    private(set) var bytes = 0

    var isEmpty: Bool { byFile.isEmpty }

    /// Whether anything of `file` is kept (its reads must look here first).
    func holds(file: UInt32) -> Bool { byFile[file] != nil }

    mutating func keep(_ write: Write) {
        var writes = byFile[write.file] ?? []
        writes.insert(write, at: Self.firstIndex(in: writes) { $0.offset > write.offset })
        byFile[write.file] = writes
        bytes += write.frames.readableBytes
    }

    /// The frame at `location`, when it is kept.
    func frame(at location: PageLocation) -> ByteBuffer? {
        guard let writes = byFile[location.file] else { return nil }
        let offset = Int64(location.offset)
        // The last write starting at or before the offset is the only one that can hold it.
        let index = Self.firstIndex(in: writes) { $0.offset > offset } - 1
        guard writes.indices.contains(index), offset < writes[index].end else { return nil }
        let write = writes[index]
        return write.frames.getSlice(at: write.frames.readerIndex + Int(offset - write.offset), length: Int(location.length))
    }

    /// Forgets what was kept of a file (emptied or deleted: nothing in it will be read).
    mutating func forget(file: UInt32) {
        bytes -= byFile.removeValue(forKey: file)?.reduce(0) { $0 + $1.frames.readableBytes } ?? 0
    }

    /// Tries the kept writes again, oldest file first and in offset order, until one fails;
    /// those `write` succeeds with are forgotten. Returns how many bytes were written.
    mutating func retry(_ write: (Write) -> Bool) -> Int {
        var written = 0
        for file in byFile.keys.sorted() {
            guard var writes = byFile[file] else { continue }
            let done = writes.prefix { write($0) }
            written += done.reduce(0) { $0 + $1.frames.readableBytes }
            writes.removeFirst(done.count)
            byFile[file] = writes.isEmpty ? nil : writes
            guard writes.isEmpty else { break }
        }
        bytes -= written
        return written
    }

    /// The first index of `writes` (sorted by offset) whose write satisfies `isAfter`.
    private static func firstIndex(in writes: [Write], where isAfter: (Write) -> Bool) -> Int {
        var low = 0
        var high = writes.count
        while low < high {
            let middle = (low + high) / 2
            if isAfter(writes[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
