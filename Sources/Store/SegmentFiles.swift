import Dispatch
import Foundation
import Metrics
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The message log's files on disk: `messages/NNNNNNNN.seg`, written only by the store's writer
/// thread. Every write is followed by fsync before the batch counts as durable.
final class SegmentFiles {
    let directory: String
    private var openSegment: (number: UInt32, descriptor: Int32)?

    init(directory: String) throws {
        self.directory = directory
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
            .sorted()
    }

    /// Appends bytes to a segment and fsyncs it.
    func append(_ bytes: ByteBuffer, to segment: UInt32) throws {
        let descriptor = try descriptorFor(segment)
        try bytes.withUnsafeReadableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw StoreError.io("write \(path(segment))", errno)
                }
                offset += written
            }
        }
        let started = DispatchTime.now().uptimeNanoseconds
        guard fsync(descriptor) == 0 else { throw StoreError.io("fsync \(path(segment))", errno) }
        Self.fsyncTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
    }

    /// How long each group commit's fsync takes (a histogram in `/metrics`).
    static let fsyncTimer = Metrics.Timer(label: "warren_store_fsync_seconds")

    func delete(_ segment: UInt32) {
        if openSegment?.number == segment, let open = openSegment {
            close(open.descriptor)
            openSegment = nil
        }
        unlink(path(segment))
    }

    /// Cuts a segment at a byte offset (a torn tail found by recovery).
    func truncate(_ segment: UInt32, at offset: Int) throws {
        guard Glibc.truncate(path(segment), off_t(offset)) == 0 else { throw StoreError.io("truncate \(path(segment))", errno) }
    }

    private func descriptorFor(_ segment: UInt32) throws -> Int32 {
        if let open = openSegment, open.number == segment { return open.descriptor }
        if let open = openSegment { close(open.descriptor) }
        let descriptor = open(path(segment), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError.io("open \(path(segment))", errno) }
        if fsyncDirectory(directory) != 0 { throw StoreError.io("fsync \(directory)", errno) }
        openSegment = (segment, descriptor)
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
