import Broker
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads a stream segment's entries in order through a bounded buffer (one chunk, or one entry
/// when an entry is larger): memory does not grow with the segment.
final class SegmentReader {
    static let chunkSize = 64 * 1024
    let path: String
    private let descriptor: Int32
    /// File position of the next entry.
    private(set) var position: Int
    /// Bytes read from `position` on.
    private var buffer = ByteBuffer()

    init(path: String, position: Int = 0) throws {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io("open \(path)", errno) }
        self.path = path
        self.position = position
    }

    deinit { close(descriptor) }

    enum Step {
        /// An entry and the file position it starts at.
        case entry(StreamEntry, at: Int)
        /// No whole entry lies before the limit.
        case end
        /// The bytes at `at` are not an entry.
        case damaged(at: Int, String)
        /// The file could not be read.
        case failed(StoreError)
    }

    /// The entry at `position`, if it ends at or before `limit` (the file length to trust).
    func next(limit: Int) -> Step {
        while true {
            switch StreamEntryCodec.decode(buffer) {
            case .entry(let entry, let size):
                buffer.moveReaderIndex(forwardBy: size)
                defer { position += size }
                return .entry(entry, at: position)
            case .damaged(let why):
                return .damaged(at: position, why)
            case .incomplete(let size):
                guard size <= limit - position else { return .end }
                do {
                    guard try fill(size, limit: limit) else { return .end }
                } catch {
                    return .failed(error)
                }
            }
        }
    }

    /// Moves to a file position (an index entry's, or back to an entry not to be read yet).
    func seek(to position: Int) {
        self.position = position
        buffer = ByteBuffer()
    }

    /// Reads until `size` bytes from `position` are buffered; false when the file is shorter.
    private func fill(_ size: Int, limit: Int) throws(StoreError) -> Bool {
        let wanted = min(max(size, Self.chunkSize), limit - position)
        var next = ByteBufferAllocator().buffer(capacity: wanted)
        next.writeImmutableBuffer(buffer)
        while next.readableBytes < wanted {
            let filePosition = off_t(position + next.readableBytes)
            let missing = wanted - next.readableBytes
            let count = next.writeWithUnsafeMutableBytes(minimumWritableBytes: missing) { raw in
                pread(descriptor, raw.baseAddress, missing, filePosition)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.io("read \(path)", errno)
            }
            if count == 0 { break }
        }
        buffer = next
        return next.readableBytes >= size
    }
}
