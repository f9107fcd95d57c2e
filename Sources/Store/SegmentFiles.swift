import Dispatch
import Foundation
import Metrics
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The message log's files on disk: `messages/NNNNNNNN.seg`, written only by the store's writer
/// thread. Every write is followed by fsync before the batch counts as durable. A write that
/// fails leaves the open segment dirty: before anything more is appended, it is cut back to the
/// length it had after its last good write, so a failed write never leaves garbage between records.
final class SegmentFiles {
    let directory: String
    private let operations: FileOperations
    /// The segment being appended to, with its length after the last complete write.
    private var openSegment: (number: UInt32, descriptor: Int32, goodLength: Int, dirty: Bool)?

    init(directory: String, operations: FileOperations = .system) throws {
        self.directory = directory
        self.operations = operations
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        if let openSegment { close(openSegment.descriptor) }
    }

    static func name(_ number: UInt32) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".seg"
    }

    func path(_ number: UInt32) -> String { directory + "/" + Self.name(number) }

    /// Segment numbers present on disk, in order.
    func existingSegments() throws -> [UInt32] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".seg") }
            .compactMap { UInt32($0.dropLast(4)) }
            .filter { $0 <= .max / 2 }  // not ours beyond: the numbers after the last must exist
            .sorted()
    }

    /// Appends bytes to a segment and fsyncs it.
    func append(_ bytes: ByteBuffer, to segment: UInt32) throws {
        let descriptor = try descriptorFor(segment)
        openSegment?.dirty = true
        try bytes.withUnsafeReadableBytes { raw in try operations.writeAll(descriptor, raw, path: path(segment)) }
        let started = DispatchTime.now().uptimeNanoseconds
        guard operations.fsync(descriptor) == 0 else { throw StoreError.io("fsync \(path(segment))", errno) }
        Self.fsyncTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
        openSegment?.goodLength += bytes.readableBytes
        openSegment?.dirty = false
    }

    /// How long each group commit's fsync takes (a histogram in `/metrics`).
    static let fsyncTimer = Metrics.Timer(label: "warren_store_fsync_seconds")

    /// Unlinks a segment, durably (the directory is fsync'd). A segment already gone is fine.
    func delete(_ segment: UInt32) throws {
        if openSegment?.number == segment, let open = openSegment {
            close(open.descriptor)
            openSegment = nil
        }
        guard unlink(path(segment)) == 0 || errno == ENOENT else { throw StoreError.io("unlink \(path(segment))", errno) }
        guard fsyncDirectory(directory) == 0 else { throw StoreError.io("fsync \(directory)", errno) }
    }

    /// Cuts a segment at a byte offset (a bad record found by recovery), durably (the file is fsync'd).
    func truncate(_ segment: UInt32, at offset: Int) throws {
        let descriptor = open(path(segment), O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io("open \(path(segment))", errno) }
        defer { close(descriptor) }
        guard operations.ftruncate(descriptor, offset) == 0 else { throw StoreError.io("truncate \(path(segment))", errno) }
        guard operations.fsync(descriptor) == 0 else { throw StoreError.io("fsync \(path(segment))", errno) }
    }

    private func descriptorFor(_ segment: UInt32) throws -> Int32 {
        if let open = openSegment, open.dirty {
            guard operations.ftruncate(open.descriptor, open.goodLength) == 0 else {
                throw StoreError.io("truncate \(path(open.number)) after a failed write", errno)
            }
            openSegment?.dirty = false
        }
        if let open = openSegment, open.number == segment { return open.descriptor }
        if let open = openSegment {
            close(open.descriptor)
            openSegment = nil
        }
        let descriptor = open(path(segment), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError.io("open \(path(segment))", errno) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, fsyncDirectory(directory) == 0 else {
            let code = errno
            close(descriptor)
            throw StoreError.io("open \(path(segment))", code)
        }
        openSegment = (segment, descriptor, Int(status.st_size), false)
        return descriptor
    }
}

/// fsync of a directory, so a created, renamed or deleted entry is durable.
func fsyncDirectory(_ path: String) -> Int32 {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return -1 }
    defer { close(descriptor) }
    return fsync(descriptor)
}

/// A store failure: what was being done and the errno text.
public enum StoreError: Error, CustomStringConvertible {
    case io(String, Int32)
    case locked(String)
    case invalidDefinitions(String)

    public var description: String {
        switch self {
        case .io(let what, let code): code == 0 ? what : "\(what): \(String(cString: strerror(code)))"
        case .locked(let path): "data directory \(path) is in use by another warren (lock file \(path)/warren.lock is held)"
        case .invalidDefinitions(let why): "cannot read definitions: \(why)"
        }
    }
}
