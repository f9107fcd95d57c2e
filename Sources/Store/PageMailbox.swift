import Broker
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// What the broker's loop asks of the paging thread, done in the order posted.
enum PageCommand: Sendable {
    /// Write frames (each u32 length, a u32 checksum still to compute, the record) back to back
    /// from `offset` of a file (created by its first write).
    case write(file: UInt32, offset: Int64, frames: ByteBuffer)
    /// Read records; their results are kept under `ticket` until taken.
    case read(ticket: UInt64, locations: [PageLocation])
    /// Read persistent messages from the message log: per segment file, the ids wanted from it
    /// (paged messages whose records could not be read back). The result is `found`.
    case readStored(segments: [(path: String, ids: Set<UInt64>)])
    /// Nothing in the file is waiting: cut it to nothing (it is written again from its start).
    case empty(file: UInt32)
    /// Nothing in the file is waiting and it is full: close and delete it.
    case delete(file: UInt32)
    /// Close every file and end the thread.
    case stop
}

/// The hand-over between the broker's loop (`PageFiles`) and the paging thread (`PageFileWorker`):
/// commands in order one way, read results, the room left for writes and the bytes of failed
/// writes kept in memory the other. The loop waits only for a read it needs now, or while more
/// than a bound of written bytes is still queued.
final class PageMailbox: Sendable {
    private struct State {
        var commands: [PageCommand] = []
        /// Set while the thread performs commands it took.
        var working = false
        /// Bytes of frames posted in write commands and not yet written.
        var queuedWriteBytes = 0
        /// Every read with a ticket up to this one is done (reads are done in ticket order).
        var completedTicket: UInt64 = 0
        /// Results of done reads, by ticket, in the order asked; a taken record is set to nil.
        var results: [UInt64: [ByteBuffer?]] = [:]
        /// Reads whose every record was released before it was done: their results are not kept.
        var abandoned: Set<UInt64> = []
        /// The result of the last `readStored`, until taken.
        var found: [UInt64: StoredMessage]?
    }

    private let state = NIOLockedValueBox(State())
    /// Bytes of frames whose write failed, kept in memory by the thread (`UnwrittenFrames`); read
    /// by the loop at every page-out, so an atomic rather than under the lock.
    let keptBytes = Atomic<Int>(0)
    /// Signalled after every change of `state`; waiters check it holding this lock.
    private let condition = NSCondition()

    // MARK: The broker's loop

    func post(_ commands: [PageCommand]) {
        guard !commands.isEmpty else { return }
        change { state in
            state.commands += commands
            for case .write(_, _, let frames) in commands { state.queuedWriteBytes += frames.readableBytes }
        }
    }

    /// Waits while more than `limit` bytes of frames are queued for writing.
    func waitForWriteRoom(limit: Int) {
        waitFor { $0.queuedWriteBytes <= limit ? () : nil }
    }

    /// Waits for the result of the `readStored` posted last and takes it.
    func takeFound() -> [UInt64: StoredMessage] {
        waitFor { state in
            defer { state.found = nil }
            return state.found
        }
    }

    /// Waits for the read of `ticket` and takes the records at `indices` out of its results.
    func take(ticket: UInt64, indices: [Int]) -> [ByteBuffer?] {
        waitFor { state in
            guard state.completedTicket >= ticket else { return nil }
            return indices.map { index in
                guard let records = state.results[ticket], records.indices.contains(index) else { return nil }
                defer { state.results[ticket]?[index] = nil }
                return records[index]
            }
        }
    }

    /// Forgets the results of a read none of whose records will be taken any more.
    func close(ticket: UInt64) {
        state.withLockedValue { state in
            if state.completedTicket >= ticket { state.results[ticket] = nil } else { state.abandoned.insert(ticket) }
        }
    }

    /// Waits until the thread has done every command posted so far.
    func waitUntilIdle() {
        waitFor { $0.commands.isEmpty && !$0.working ? () : nil }
    }

    /// Waits until no failed write is kept in memory any more (tests).
    func waitUntilNothingKept() {
        waitFor { _ in keptBytes.load(ordering: .relaxed) == 0 ? () : nil }
    }

    // MARK: The paging thread

    /// Takes every command posted, waiting for one until `deadline` (nil: as long as it takes);
    /// none when the deadline passed first.
    func nextCommands(until deadline: Date?) -> [PageCommand] {
        change { state in
            if state.commands.isEmpty { state.working = false }
        }
        let commands = waitFor(until: deadline) { state -> [PageCommand]? in
            guard !state.commands.isEmpty else { return nil }
            state.working = true
            defer { state.commands.removeAll(keepingCapacity: true) }
            return state.commands
        }
        return commands ?? []
    }

    /// Records that `bytes` of queued frames have been written (or failed to be), and the bytes
    /// of failed writes now kept in memory.
    func wrote(bytes: Int, kept: Int) {
        keptBytes.store(kept, ordering: .relaxed)
        change { $0.queuedWriteBytes -= bytes }
    }

    /// Records the bytes of failed writes kept in memory (after some were written or forgotten).
    func kept(bytes: Int) {
        keptBytes.store(bytes, ordering: .relaxed)
        change { _ in }
    }

    /// Hands over the result of a `readStored`.
    func found(_ messages: [UInt64: StoredMessage]) {
        change { $0.found = messages }
    }

    /// Hands over the records of the read of `ticket`.
    func read(ticket: UInt64, records: [ByteBuffer?]) {
        change { state in
            state.completedTicket = ticket
            if state.abandoned.remove(ticket) == nil { state.results[ticket] = records }
        }
    }

    // MARK: Waiting

    private func change(_ body: (inout State) -> Void) {
        state.withLockedValue(body)
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    private func waitFor<Result>(_ ready: (inout State) -> Result?) -> Result {
        while true {
            if let result = waitFor(until: nil, ready) { return result }
        }
    }

    /// What `ready` gives once it gives something, or nil when `deadline` (if any) passed first.
    /// (No deadline is a plain wait: Foundation's `wait(until: .distantFuture)` traps on Linux.)
    private func waitFor<Result>(until deadline: Date?, _ ready: (inout State) -> Result?) -> Result? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = state.withLockedValue(ready) { return result }
            if let deadline {
                guard condition.wait(until: deadline) else { return state.withLockedValue(ready) }
            } else {
                condition.wait()
            }
        }
    }
}
