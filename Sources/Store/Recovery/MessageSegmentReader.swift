import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One segment of the message log read whole into a buffer, its records walked in order. Both
/// passes of `Recovery` read through it, one segment at a time, so at most one segment's buffer
/// is alive (and only as long as a body sliced from it is).
struct MessageSegmentReader {
    /// How walking a segment's records ended.
    enum Ending: Equatable {
        case end
        /// A record that is torn, fails its checksum or does not parse, at `offset`: nothing from
        /// there on (`discarded` bytes) is read.
        case bad(offset: Int, discarded: Int, reason: String)
    }

    let path: String

    /// Calls `body` with every record up to the end or the first bad one (a group's records one by
    /// one, as a group stands or falls whole), with the record's ordinal in the segment.
    func forEachRecord(_ body: (_ record: StoreRecord, _ ordinal: UInt32) throws -> Void) throws -> Ending {
        var buffer = try readWhole()
        let start = buffer.readerIndex
        var ordinal: UInt32 = 0
        while true {
            let offset = buffer.readerIndex - start
            let read = StoreRecord.read(from: &buffer)
            switch read {
            case .end:
                return .end
            case .torn, .corrupt:
                // Only the tail of an append-only log can be torn, so a bad record ends what is
                // readable in this segment: nothing after it is parsed, and no byte inside a
                // message body can ever be taken for a record.
                let reason = if case .corrupt(let why) = read { "corrupt record (\(why))" } else { "torn record" }
                return .bad(offset: offset, discarded: buffer.writerIndex - start - offset, reason: reason)
            case .record(let outer):
                let records: [StoreRecord] = if case .group(let grouped) = outer { grouped } else { [outer] }
                for record in records {
                    try body(record, ordinal)
                    ordinal &+= 1
                }
            }
        }
    }

    /// The file's bytes, in one buffer of exactly its size.
    private func readWhole() throws -> ByteBuffer {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io("open \(path)", errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw StoreError.io("stat \(path)", errno) }
        // One byte more than the size, so the read that finds the end needs no growth.
        var buffer = ByteBufferAllocator().buffer(capacity: min(Int(clamping: status.st_size), Int.max - 1) + 1)
        while true {
            var failure: Int32 = 0
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 1) { space in
                let count = read(descriptor, space.baseAddress, space.count)
                if count < 0 { failure = errno }
                return max(count, 0)
            }
            if failure == EINTR { continue }
            guard failure == 0 else { throw StoreError.io("read \(path)", failure) }
            if count == 0 { return buffer }
        }
    }
}
