import Broker
import Foundation
import Logging
import NIOCore

/// Paged messages' records (`PageRecord`), in `paging/NNNNNNNN.page` files of the data directory.
/// Each is framed as u32 record length, u32 CRC-32 of the record, the record (big-endian), so a
/// damaged page is reported rather than delivered. Nothing here is durable (persistent messages
/// are also in the message log): the folder is emptied at startup. A file is deleted once every
/// record in it has been read back or released.
///
/// The broker's loop only decides where each record goes and counts what each file holds; the
/// I/O is done by a thread of its own (`PageFileWorker`), in the order asked. Records to write
/// are copied into batches of up to `writeBatchLimit` bytes, handed over when full (a read or
/// release hands over what is gathered first), and the loop waits while more than
/// `queuedWriteLimit` bytes are still to be written. Reads asked for ahead (`prefetch`, at most `prefetchLimit` bytes) are waited for only
/// if they are not done when `pageIn` needs them.
///
/// Failures: while more than `unwrittenLimit` bytes of failed writes are kept in memory by the
/// thread, new records are refused (their messages stay in memory, in order). A paged message
/// whose record cannot be read back is read from the message log when it is persistent
/// (`recover`), else it is lost; both are counted (`PagingCounters`) and logged with its queue.
public final class PageFiles: BodyPager {
    static let fileLimit: Int64 = 64 * 1024 * 1024
    /// Bytes of the frame before each record.
    static let frameLength = 8
    static let writeBatchLimit = 1024 * 1024
    static let queuedWriteLimit = 8 * 1024 * 1024
    static let prefetchLimit = 16 * 1024 * 1024
    /// Bytes of failed writes kept in memory beyond which records are refused. What is still queued
    /// when it is reached can add up to `queuedWriteLimit` + `writeBatchLimit`.
    static let unwrittenLimit = 64 * 1024 * 1024

    private let mailbox = PageMailbox()
    private let logger: Logger
    private let counters: PagingCounters
    private let unwrittenLimit: Int
    /// The message log's segment file holding a stored message's publish record; nil when the
    /// store holds no such id.
    private let segmentPath: (UInt64) -> String?
    /// The file being written and its size so far.
    private var current: (number: UInt32, size: Int64)?
    private var nextNumber: UInt32 = 1
    /// Files with the number of records in them not yet read back or released.
    private var live: [UInt32: Int] = [:]
    /// Frames gathered for the next write, from `offset` of `file` on, in one buffer of
    /// `writeBatchLimit` bytes (or one frame, when it is longer), so paging a message leaves no
    /// allocation of its own behind it.
    private var gathered: (file: UInt32, offset: Int64, frames: ByteBuffer)?
    private var lastTicket: UInt64 = 0
    /// Records read ahead and not yet taken: the read that has them and their place in it.
    private var prefetched: [PageLocation: (ticket: UInt64, index: Int)] = [:]
    private var prefetchedBytes = 0
    /// Per read still holding records: how many are neither taken nor released.
    private var openTickets: [UInt64: Int] = [:]

    /// Empties `directory` and starts the paging thread. `segmentPath` tells where the message log
    /// keeps a stored message (`StorePersistence.segmentPath`); it is called on the broker's loop.
    public convenience init(directory: String, logger: Logger, segmentPath: @escaping (UInt64) -> String?) throws {
        try self.init(directory: directory, logger: logger, segmentPath: segmentPath, operations: .system, counters: PagingCounters(),
                      unwrittenLimit: Self.unwrittenLimit)
    }

    /// As the public initializer, with the file operations, counters and bound tests choose.
    init(directory: String, logger: Logger, segmentPath: @escaping (UInt64) -> String?, operations: FileOperations,
         counters: PagingCounters, unwrittenLimit: Int) throws {
        if FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.removeItem(atPath: directory)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.logger = logger
        self.counters = counters
        self.unwrittenLimit = unwrittenLimit
        self.segmentPath = segmentPath
        PageFileWorker.start(directory: directory, logger: logger, mailbox: mailbox, operations: operations, counters: counters)
    }

    deinit {
        mailbox.post([.stop])
    }

    public func pageOut(_ record: ByteBuffer) -> PageLocation? {
        let length = Self.frameLength + record.readableBytes
        guard length <= Int(UInt32.max) else { return nil }
        guard mailbox.keptBytes.load(ordering: .relaxed) <= unwrittenLimit else { return nil }
        let file = writableFile()
        if let batch = gathered, batch.file != file.number || batch.offset + Int64(batch.frames.readableBytes) != file.size
            || batch.frames.writableBytes < length {
            handOver()
        }
        if gathered == nil {
            var frames = ByteBuffer()
            frames.reserveCapacity(max(Self.writeBatchLimit, length))
            gathered = (file.number, file.size, frames)
        }
        gathered?.frames.writeInteger(UInt32(record.readableBytes))
        gathered?.frames.writeInteger(UInt32(0))  // its checksum, computed on the paging thread
        gathered?.frames.writeImmutableBuffer(record)
        current?.size += Int64(length)
        live[file.number, default: 0] += 1
        return PageLocation(file: file.number, offset: UInt32(file.size), length: UInt32(length))
    }

    public func prefetch(_ locations: [PageLocation]) {
        let wanted = locations.filter { prefetched[$0] == nil && live[$0.file] != nil }
        let bytes = wanted.reduce(0) { $0 + Int($1.length) }
        guard !wanted.isEmpty, prefetchedBytes + bytes <= Self.prefetchLimit else { return }
        let ticket = read(wanted)
        for (index, location) in wanted.enumerated() { prefetched[location] = (ticket, index) }
        prefetchedBytes += bytes
    }

    public func pageIn(_ locations: [PageLocation]) -> [ByteBuffer?] {
        let unread = locations.filter { prefetched[$0] == nil }
        if !unread.isEmpty {
            let ticket = read(unread)
            for (index, location) in unread.enumerated() { prefetched[location] = (ticket, index) }
            prefetchedBytes += unread.reduce(0) { $0 + Int($1.length) }
        }
        var indices: [UInt64: [Int]] = [:]
        for location in locations {
            if let place = prefetched[location] { indices[place.ticket, default: []].append(place.index) }
        }
        var byPlace: [UInt64: [Int: ByteBuffer?]] = [:]
        for (ticket, wanted) in indices.sorted(by: { $0.key < $1.key }) {
            byPlace[ticket] = Dictionary(zip(wanted, mailbox.take(ticket: ticket, indices: wanted)), uniquingKeysWith: { first, _ in first })
        }
        let records: [ByteBuffer?] = locations.map { location in
            guard let place = prefetched[location], let record = byPlace[place.ticket]?[place.index] else { return nil }
            return record
        }
        for location in locations { release(location) }
        return records
    }

    public func release(_ location: PageLocation) {
        if let place = prefetched.removeValue(forKey: location) {
            prefetchedBytes -= Int(location.length)
            let left = (openTickets[place.ticket] ?? 1) - 1
            openTickets[place.ticket] = left > 0 ? left : nil
            if left <= 0 { mailbox.close(ticket: place.ticket) }
        }
        guard let count = live[location.file], count > 0 else { return }
        if count > 1 {
            live[location.file] = count - 1
        } else if current?.number == location.file {
            // The current file is empty again: start over at its beginning.
            live[location.file] = 0
            current?.size = 0
            handOver([.empty(file: location.file)])
        } else {
            live[location.file] = nil
            handOver([.delete(file: location.file)])
        }
    }

    public func recover(_ storeIDs: [UInt64], queue: String, vhost: String) -> [StoredMessage?] {
        var wanted: [String: Set<UInt64>] = [:]
        for id in storeIDs where id != 0 {
            if let path = segmentPath(id) { wanted[path, default: []].insert(id) }
        }
        var found: [UInt64: StoredMessage] = [:]
        if !wanted.isEmpty {
            handOver([.readStored(segments: wanted.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })])
            found = mailbox.takeFound()
        }
        let messages = storeIDs.map { $0 == 0 ? nil : found[$0] }
        let persistent = storeIDs.count { $0 != 0 }
        let fromLog = messages.count { $0 != nil }
        let lost = storeIDs.count - fromLog
        counters.readErrors.increment(by: Int64(storeIDs.count))
        if lost > 0 { counters.lostMessages.increment(by: Int64(lost)) }
        let what = "\(storeIDs.count) paged messages of queue '\(queue)' in vhost '\(vhost)' could not be read back: "
            + "\(fromLog) persistent read from the message log instead, \(lost) lost "
            + "(\(storeIDs.count - persistent) transient, \(persistent - fromLog) persistent not found in the message log)"
        logger.error("paging: \(what)")
        return messages
    }

    /// Waits until every record handed over is written and every read done (tests, shutdown).
    func waitUntilIdle() {
        handOver()
        mailbox.waitUntilIdle()
    }

    /// Waits until no failed write is kept in memory (tests).
    func waitUntilNothingKept() {
        mailbox.waitUntilNothingKept()
    }

    /// Posts a read of `locations` (after what is gathered) and returns its ticket.
    private func read(_ locations: [PageLocation]) -> UInt64 {
        lastTicket += 1
        openTickets[lastTicket] = locations.count
        handOver([.read(ticket: lastTicket, locations: locations)])
        return lastTicket
    }

    /// Posts the gathered records, then `commands`; waits while too much is still to be written.
    private func handOver(_ commands: [PageCommand] = []) {
        var posted = commands
        if let batch = gathered {
            posted.insert(.write(file: batch.file, offset: batch.offset, frames: batch.frames), at: 0)
            gathered = nil
        }
        mailbox.post(posted)
        mailbox.waitForWriteRoom(limit: Self.queuedWriteLimit)
    }

    private func writableFile() -> (number: UInt32, size: Int64) {
        if let open = current, open.size < Self.fileLimit { return open }
        if let full = current, live[full.number] == 0 {
            live[full.number] = nil
            handOver([.delete(file: full.number)])
        }
        let number = nextNumber
        nextNumber &+= 1
        current = (number, 0)
        live[number] = 0
        return (number, 0)
    }

    static func path(_ number: UInt32, in directory: String) -> String {
        directory + "/" + SegmentFiles.name(number).replacingOccurrences(of: ".seg", with: ".page")
    }
}
