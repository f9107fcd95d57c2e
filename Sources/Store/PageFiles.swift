import Broker
import Foundation
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Paged messages' records (`PageRecord`), in `paging/NNNNNNNN.page` files of the data directory.
/// Each is framed as u32 record length, u32 CRC-32 of the record, the record (big-endian), so a
/// damaged page is reported rather than delivered. Nothing here is durable (persistent messages
/// are also in the message log): the folder is emptied at startup. A file is deleted once every
/// record in it has been read back or released.
///
/// Reads and writes happen on the broker's event loop, synchronously: paging starts only when a
/// queue is over its memory limit, records read back together are read with one `pread` per
/// stretch of a file, and recently written pages are normally in the page cache.
public final class PageFiles: BodyPager {
    static let fileLimit: Int64 = 64 * 1024 * 1024
    /// Bytes of the frame before each record.
    static let frameLength = 8
    /// Records read back together are read in one `pread` when the stretch covering them is at
    /// most this long and at most twice their own length (other queues' records may sit between).
    static let stretchLimit = 4 * 1024 * 1024

    private let directory: String
    private let logger: Logger
    private var current: (number: UInt32, descriptor: Int32, size: Int64)?
    private var nextNumber: UInt32 = 1
    /// Open files with the number of records in them not yet read back or released.
    private var files: [UInt32: (descriptor: Int32, live: Int)] = [:]

    public init(directory: String, logger: Logger) throws {
        self.directory = directory
        self.logger = logger
        if FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.removeItem(atPath: directory)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        for file in files.values { close(file.descriptor) }
    }

    public func pageOut(_ record: ByteBuffer) -> PageLocation? {
        guard record.readableBytes <= Int(UInt32.max) - Self.frameLength else { return nil }
        guard let file = writableFile() else { return nil }
        var bytes = ByteBuffer()
        bytes.reserveCapacity(Self.frameLength + record.readableBytes)
        bytes.writeInteger(UInt32(record.readableBytes))
        bytes.writeInteger(record.withUnsafeReadableBytes { CRC32.checksum($0) })
        bytes.writeImmutableBuffer(record)
        let written = bytes.withUnsafeReadableBytes { raw in
            pwrite(file.descriptor, raw.baseAddress, raw.count, off_t(file.size))
        }
        guard written == bytes.readableBytes else {
            logger.error("paging: cannot write \(path(file.number)): \(written < 0 ? String(cString: strerror(errno)) : "short write")")
            if written > 0 { ftruncate(file.descriptor, off_t(file.size)) }
            return nil
        }
        current?.size += Int64(written)
        files[file.number]?.live += 1
        return PageLocation(file: file.number, offset: UInt32(file.size), length: UInt32(bytes.readableBytes))
    }

    public func pageIn(_ locations: [PageLocation]) -> [ByteBuffer?] {
        var records: [ByteBuffer?] = []
        records.reserveCapacity(locations.count)
        var start = 0
        while start < locations.count {
            let end = stretchEnd(locations, from: start)
            records += read(locations[start..<end])
            start = end
        }
        for location in locations { release(location) }
        return records
    }

    public func release(_ location: PageLocation) {
        guard let file = files[location.file] else { return }
        let live = file.live - 1
        if live > 0 || current?.number == location.file {
            files[location.file]?.live = live
            if live == 0, let open = current, open.number == location.file {
                // The current file is empty again: start over at its beginning.
                ftruncate(open.descriptor, 0)
                current?.size = 0
            }
            return
        }
        close(file.descriptor)
        unlink(path(location.file))
        files[location.file] = nil
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

    /// Reads the records of one stretch with one `pread`; each comes back in a buffer of its own,
    /// so a message kept unacknowledged does not keep its neighbours' bytes.
    private func read(_ stretch: ArraySlice<PageLocation>) -> [ByteBuffer?] {
        guard let first = stretch.first, let last = stretch.last, let file = files[first.file] else {
            logger.error("paging: page file \(stretch.first.map { path($0.file) } ?? "") is gone; \(stretch.count) messages dropped")
            return Array(repeating: nil, count: stretch.count)
        }
        let total = Int(last.offset) + Int(last.length) - Int(first.offset)
        var bytes = ByteBuffer()
        let read = bytes.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { raw in
            max(0, pread(file.descriptor, raw.baseAddress, total, off_t(first.offset)))
        }
        guard read == total else {
            logger.error("paging: cannot read \(total) bytes at \(first.offset) of \(path(first.file)); \(stretch.count) messages dropped")
            return Array(repeating: nil, count: stretch.count)
        }
        return stretch.map { location in
            let record = bytes.getSlice(at: Int(location.offset) - Int(first.offset), length: Int(location.length)).flatMap(unframe)
            if record == nil { logger.error("paging: damaged record at \(location.offset) of \(path(location.file)); message dropped") }
            return record
        }
    }

    /// The record inside a frame, in a buffer of its own; nil when its length or checksum is wrong.
    private func unframe(_ frame: ByteBuffer) -> ByteBuffer? {
        var frame = frame
        guard let length = frame.readInteger(as: UInt32.self), let checksum = frame.readInteger(as: UInt32.self),
              Int(length) == frame.readableBytes,
              frame.withUnsafeReadableBytes({ CRC32.checksum($0) }) == checksum
        else { return nil }
        var record = ByteBuffer()
        record.reserveCapacity(frame.readableBytes)
        record.writeBuffer(&frame)
        return record
    }

    private func writableFile() -> (number: UInt32, descriptor: Int32, size: Int64)? {
        if let open = current, open.size < Self.fileLimit { return open }
        if let full = current, files[full.number]?.live == 0 {
            close(full.descriptor)
            unlink(path(full.number))
            files[full.number] = nil
        }
        let number = nextNumber
        nextNumber += 1
        let descriptor = open(path(number), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            logger.error("paging: cannot create \(path(number)): \(String(cString: strerror(errno)))")
            return nil
        }
        current = (number, descriptor, 0)
        files[number] = (descriptor, 0)
        return current
    }

    private func path(_ number: UInt32) -> String {
        directory + "/" + SegmentFiles.name(number).replacingOccurrences(of: ".seg", with: ".page")
    }
}
