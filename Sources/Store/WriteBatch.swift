import Foundation

#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// What one write of the store takes to disk, in order: log records per segment (encoded here, on
/// the writer thread, not on the broker's loop), fully released segments to delete, and the
/// definitions file. Performed on the writer thread.
struct WriteBatch: Sendable {
    var segments: [(segment: UInt32, records: [StoreRecord])]
    var deletions: [UInt32]
    var definitions: Data?
    /// Descriptors of stream files written on the broker's loop, fsync'd (and closed) first.
    var syncs: [Int32] = []

    /// How far a write got: the first `writtenSegments` entries are on disk, and the error that
    /// stopped it, if any.
    struct Result {
        var writtenSegments = 0
        var deleted = false
        var error: StoreError?
    }

    func perform(files: SegmentFiles, definitionsFile: DefinitionsFile, attempts: Int) -> Result {
        var result = Result()
        do {
            try syncStreams()
            for entry in segments {
                let bytes = Self.encode(entry.records)
                try retrying(attempts) { try files.append(bytes, to: entry.segment) }
                result.writtenSegments += 1
            }
            for segment in deletions { try retrying(attempts) { try files.delete(segment) } }
            result.deleted = true
            if let definitions { try retrying(attempts) { try definitionsFile.write(definitions) } }
        } catch let error as StoreError {
            result.error = error
        } catch {
            result.error = .io("\(error)", 0)
        }
        return result
    }

    /// The records framed one after another, as the log holds them.
    static func encode(_ records: [StoreRecord]) -> ByteBuffer {
        var bytes = ByteBufferAllocator().buffer(capacity: records.reduce(0) { $0 + $1.encodedLength })
        for record in records { record.write(to: &bytes) }
        return bytes
    }

    /// fsyncs every stream descriptor (retrying each) and closes them all, whatever happens.
    private func syncStreams() throws {
        defer { for descriptor in syncs { close(descriptor) } }
        for descriptor in syncs {
            try retrying(MessageStore.attempts) {
                guard descriptor >= 0, fsync(descriptor) == 0 else { throw StoreError.io("fsync of a stream file", errno) }
            }
        }
    }

    private func retrying(_ attempts: Int, _ operation: () throws -> Void) throws {
        for attempt in 1... {
            do {
                return try operation()
            } catch where attempt < attempts {
                continue
            }
        }
    }
}
