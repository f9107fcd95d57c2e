import Broker
import Foundation
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Message bodies of over-limit queues, in `paging/NNNNNNNN.page` files of the data directory.
/// Nothing here is durable (persistent messages are also in the message log): the folder is
/// emptied at startup. A file is deleted once every body in it has been read back or released.
///
/// Reads and writes happen on the broker's event loop, synchronously: paging starts only when a
/// queue is over its memory limit, and recently written pages are normally in the page cache.
public final class PageFiles: BodyPager {
    static let fileLimit: Int64 = 64 * 1024 * 1024

    private let directory: String
    private let logger: Logger
    private var current: (number: UInt32, descriptor: Int32, size: Int64)?
    private var nextNumber: UInt32 = 1
    /// Open files with the number of bodies in them not yet read back or released.
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

    public func pageOut(properties: ByteBuffer, body: ByteBuffer) -> PageLocation? {
        guard let file = writableFile() else { return nil }
        var bytes = ByteBuffer()
        bytes.reserveCapacity(properties.readableBytes + body.readableBytes)
        bytes.writeImmutableBuffer(properties)
        bytes.writeImmutableBuffer(body)
        let written = bytes.withUnsafeReadableBytes { raw in
            pwrite(file.descriptor, raw.baseAddress, raw.count, off_t(file.size))
        }
        guard written == bytes.readableBytes else {
            logger.error("paging: cannot write \(path(file.number)): \(String(cString: strerror(errno)))")
            return nil
        }
        current?.size += Int64(written)
        files[file.number]?.live += 1
        return PageLocation(file: file.number, offset: file.size, propertyLength: properties.readableBytes, bodyLength: body.readableBytes)
    }

    public func pageIn(_ location: PageLocation) -> (properties: ByteBuffer, body: ByteBuffer)? {
        defer { release(location) }
        guard let file = files[location.file] else { return nil }
        let total = location.propertyLength + location.bodyLength
        var bytes = ByteBuffer()
        bytes.reserveCapacity(total)
        let read = bytes.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { raw in
            max(0, pread(file.descriptor, raw.baseAddress, total, off_t(location.offset)))
        }
        guard read == total, let properties = bytes.readSlice(length: location.propertyLength),
              let body = bytes.readSlice(length: location.bodyLength)
        else {
            logger.error("paging: cannot read \(total) bytes at \(location.offset) of \(path(location.file)); message dropped")
            return nil
        }
        return (properties, body)
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
