import Broker
import Foundation
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The paging thread's side of `PageFiles`: owns the page files' descriptors and performs the
/// commands of its `PageMailbox` in order. Records' checksums (CRC-32) are computed here, off the
/// broker's loop. A write that fails is logged and counted, and its records are kept in memory
/// (`UnwrittenFrames`) and read from there, so a failing disk costs memory, never a message; every
/// `retryInterval` the kept writes are tried again, and those that succeed leave memory.
final class PageFileWorker {
    /// Records read back together are read in one `pread` when the stretch covering them is at
    /// most this long and at most twice their own length (other queues' records may sit between).
    static let stretchLimit = 4 * 1024 * 1024
    /// How long kept writes wait before they are tried again.
    static let retryInterval: TimeInterval = 1

    private let directory: String
    private let logger: Logger
    private let mailbox: PageMailbox
    private let operations: FileOperations
    private let counters: PagingCounters
    private var descriptors: [UInt32: Int32] = [:]
    private var unwritten = UnwrittenFrames()
    /// When the writes kept in memory are next tried again; nil while none is kept.
    private var retryDue: Date?

    init(directory: String, logger: Logger, mailbox: PageMailbox, operations: FileOperations, counters: PagingCounters) {
        self.directory = directory
        self.logger = logger
        self.mailbox = mailbox
        self.operations = operations
        self.counters = counters
    }

    /// Starts a thread that performs the mailbox's commands until told to stop.
    static func start(directory: String, logger: Logger, mailbox: PageMailbox, operations: FileOperations, counters: PagingCounters) {
        Thread.detachNewThread {
            PageFileWorker(directory: directory, logger: logger, mailbox: mailbox, operations: operations, counters: counters).run()
        }
    }

    func run() {
        while true {
            let commands = mailbox.nextCommands(until: retryDue)
            if let due = retryDue, due <= Date() {
                retryDue = nil
                retryUnwritten()
            }
            for command in commands {
                switch command {
                case .write(let file, let offset, let frames): write(frames, to: file, at: offset)
                case .read(let ticket, let locations): mailbox.read(ticket: ticket, records: read(locations))
                case .readStored(let segments): mailbox.found(readStored(segments))
                case .empty(let file):
                    forgetUnwritten(file)
                    if let descriptor = descriptors[file] { ftruncate(descriptor, 0) }
                case .delete(let file):
                    forgetUnwritten(file)
                    if let descriptor = descriptors.removeValue(forKey: file) { close(descriptor) }
                    unlink(path(file))
                case .stop:
                    for descriptor in descriptors.values { close(descriptor) }
                    return
                }
            }
            if unwritten.isEmpty {
                retryDue = nil
            } else if retryDue == nil {
                retryDue = Date(timeIntervalSinceNow: Self.retryInterval)
            }
        }
    }

    private func write(_ frames: ByteBuffer, to file: UInt32, at offset: Int64) {
        var frames = frames
        Self.fillChecksums(&frames)
        let write = UnwrittenFrames.Write(file: file, offset: offset, frames: frames)
        if let error = perform(write) {
            logger.error("paging: cannot write \(path(file)): \(error); its \(frames.readableBytes) bytes stay in memory")
            counters.writeErrors.increment()
            unwritten.keep(write)
        }
        mailbox.wrote(bytes: frames.readableBytes, kept: unwritten.bytes)
    }

    /// Writes frames where they go; the error when that fails.
    private func perform(_ write: UnwrittenFrames.Write) -> String? {
        guard let descriptor = descriptor(write.file) else { return "cannot create it: \(String(cString: strerror(errno)))" }
        let written = write.frames.withUnsafeReadableBytes { operations.writeAt(descriptor, $0, write.offset) }
        guard written == write.frames.readableBytes else { return written < 0 ? String(cString: strerror(errno)) : "short write" }
        return nil
    }

    /// Tries the writes kept in memory again (a failure again is neither logged nor counted).
    private func retryUnwritten() {
        let written = unwritten.retry { perform($0) == nil }
        guard written > 0 else { return }
        logger.warning("paging: page files written again: \(written) bytes kept in memory are on disk, \(unwritten.bytes) still in memory")
        mailbox.kept(bytes: unwritten.bytes)
    }

    private func forgetUnwritten(_ file: UInt32) {
        guard unwritten.holds(file: file) else { return }
        unwritten.forget(file: file)
        mailbox.kept(bytes: unwritten.bytes)
    }

    /// Sets each frame's checksum field to the CRC-32 of its record.
    /// (No slice of `frames` is alive while a checksum is set: it would make each `setInteger` copy
    /// the whole batch.)
    static func fillChecksums(_ frames: inout ByteBuffer) {
        var position = frames.readerIndex
        while let length = frames.getInteger(at: position, as: UInt32.self) {
            let start = position - frames.readerIndex + PageFiles.frameLength
            let checksum: UInt32? = frames.withUnsafeReadableBytes { raw in
                guard Int(length) <= raw.count - start else { return nil }
                return CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[start..<(start + Int(length))]))
            }
            guard let checksum else { return }
            frames.setInteger(checksum, at: position + 4)
            position += PageFiles.frameLength + Int(length)
        }
    }

    private func descriptor(_ file: UInt32) -> Int32? {
        if let descriptor = descriptors[file] { return descriptor }
        let descriptor = open(path(file), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        descriptors[file] = descriptor
        return descriptor
    }

    /// The records at `locations`, in order; nil for one that cannot be read (logged).
    private func read(_ locations: [PageLocation]) -> [ByteBuffer?] {
        var records: [ByteBuffer?] = []
        records.reserveCapacity(locations.count)
        var start = 0
        while start < locations.count {
            let end = stretchEnd(locations, from: start)
            records += read(stretch: locations[start..<end])
            start = end
        }
        return records
    }

    /// The end of the stretch starting at `start`: following locations in the same file, each
    /// after the previous, close enough together to be read at once.
    private func stretchEnd(_ locations: [PageLocation], from start: Int) -> Int {
        let first = locations[start]
        var payload = Int(first.length)
        var end = start + 1
        while end < locations.count {
            let next = locations[end], previous = locations[end - 1]
            guard next.file == first.file, Int(next.offset) >= Int(previous.offset) + Int(previous.length) else { break }
            let span = Int(next.offset) + Int(next.length) - Int(first.offset)
            payload += Int(next.length)
            guard span <= Self.stretchLimit, span <= 2 * payload else { break }
            end += 1
        }
        return end
    }

    /// Reads the records of one stretch with one `pread` (from memory those whose write failed);
    /// each comes back in a buffer of its own, so a message kept unacknowledged does not keep its
    /// neighbours' bytes.
    private func read(stretch: ArraySlice<PageLocation>) -> [ByteBuffer?] {
        guard let first = stretch.first, unwritten.holds(file: first.file) else { return readFromDisk(stretch) }
        return stretch.map { location in
            guard let frame = unwritten.frame(at: location) else { return readFromDisk([location][...])[0] }
            return unframe(frame, at: location)
        }
    }

    private func readFromDisk(_ stretch: ArraySlice<PageLocation>) -> [ByteBuffer?] {
        guard let first = stretch.first, let last = stretch.last, let descriptor = descriptors[first.file] else {
            logger.error("paging: page file \(stretch.first.map { path($0.file) } ?? "") is gone; \(stretch.count) records not read")
            return Array(repeating: nil, count: stretch.count)
        }
        let total = Int(last.offset) + Int(last.length) - Int(first.offset)
        var bytes = ByteBuffer()
        let read = bytes.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { raw in
            max(0, pread(descriptor, raw.baseAddress, total, off_t(first.offset)))
        }
        guard read == total else {
            logger.error("paging: cannot read \(total) bytes at \(first.offset) of \(path(first.file)); \(stretch.count) records not read")
            return Array(repeating: nil, count: stretch.count)
        }
        return stretch.map { location in
            unframe(bytes.getSlice(at: Int(location.offset) - Int(first.offset), length: Int(location.length)), at: location)
        }
    }

    /// The record inside a frame, in a buffer of its own; nil (logged) when its length or checksum is wrong.
    private func unframe(_ frame: ByteBuffer?, at location: PageLocation) -> ByteBuffer? {
        guard var frame, let length = frame.readInteger(as: UInt32.self), let checksum = frame.readInteger(as: UInt32.self),
              Int(length) == frame.readableBytes,
              frame.withUnsafeReadableBytes({ CRC32.checksum($0) }) == checksum
        else {
            logger.error("paging: damaged record at \(location.offset) of \(path(location.file))")
            return nil
        }
        return ByteBuffer(copyOf: frame)
    }

    /// The persistent messages wanted from each segment of the message log, by id; a segment
    /// that cannot be read is logged (its messages are missing from the result).
    private func readStored(_ segments: [(path: String, ids: Set<UInt64>)]) -> [UInt64: StoredMessage] {
        var found: [UInt64: StoredMessage] = [:]
        for (path, ids) in segments {
            do {
                found.merge(try StoredMessageScan.messages(ids, inSegmentAt: path)) { first, _ in first }
            } catch {
                logger.error("paging: cannot read \(ids.count) persistent messages back from the message log: \(error)")
            }
        }
        return found
    }

    private func path(_ number: UInt32) -> String {
        PageFiles.path(number, in: directory)
    }
}
