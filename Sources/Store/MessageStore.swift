import NIOCore
import NIOPosix

/// The persistent-message log, used from the broker's event loop. Records are gathered in memory
/// and written by a dedicated writer thread; one write + fsync covers every record appended since
/// the previous one (group commit), and `whenDurable` callbacks run once their records are on disk.
public final class MessageStore {
    /// A segment is closed and a new one begun past this size.
    static let segmentLimit = 16 * 1024 * 1024

    private let brokerLoop: any EventLoop
    private let writerLoop: any EventLoop
    private let files: NIOLoopBound<SegmentFiles>
    private var pending: [(segment: UInt32, bytes: ByteBuffer)] = []
    private var currentSegment: UInt32
    private var currentSegmentBytes = 0
    /// Per segment: references (message × queue) not yet removed.
    private var liveReferences: [UInt32: Int] = [:]
    /// The oldest segment still on disk. Segments are deleted oldest first only: a later segment
    /// may hold the `removed` and `delivered` records of messages in an earlier one.
    private var oldestSegment: UInt32
    /// Per stored message: its segment and how many queues still hold it.
    private var messages: [UInt64: (segment: UInt32, references: Int)] = [:]
    private var nextID: UInt64
    private var writeInFlight = false
    private var waiting: [() -> Void] = []
    private var segmentsToDelete: [UInt32] = []
    private let failureHandler: @Sendable (StoreError) -> Void
    /// Records of an open group (a transaction being committed), written as one record at its end.
    private var group: [StoreRecord]?

    init(recovered: RecoveredMessages, files: NIOLoopBound<SegmentFiles>, brokerLoop: any EventLoop,
         writerLoop: any EventLoop, onFailure: @escaping @Sendable (StoreError) -> Void) {
        self.brokerLoop = brokerLoop
        self.writerLoop = writerLoop
        self.files = files
        self.currentSegment = recovered.nextSegment
        self.oldestSegment = recovered.oldestKeptSegment ?? recovered.nextSegment
        self.nextID = recovered.nextID
        self.failureHandler = onFailure
        for message in recovered.references {
            messages[message.id] = (message.segment, message.references)
            liveReferences[message.segment, default: 0] += message.references
        }
    }

    /// A new message id.
    public func allocateID() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    /// Appends a publish record for a message held by `queues`.
    public func stored(_ record: StoreRecord) {
        if group == nil { rotateIfFull() }  // the record's segment must be the one it is written to
        if case .publish(let id, _, let queues, _, _, _, _) = record {
            messages[id] = (currentSegment, queues.count)
            liveReferences[currentSegment, default: 0] += queues.count
        }
        append(record)
    }

    /// Records that a queue delivered a message for the first time.
    public func delivered(id: UInt64, queue: String) {
        append(.delivered(id: id, queue: queue))
    }

    /// Records that a queue no longer holds a message; a segment nothing refers to is deleted.
    public func removed(id: UInt64, queue: String) {
        guard let entry = messages[id] else { return }
        append(.removed(id: id, queue: queue))
        if entry.references <= 1 { messages[id] = nil } else { messages[id] = (entry.segment, entry.references - 1) }
        liveReferences[entry.segment] = (liveReferences[entry.segment] ?? 1) - 1
        collectDeletableSegments()
    }

    /// Deletes the oldest segments while nothing in them is live (never the current one).
    private func collectDeletableSegments() {
        while oldestSegment < currentSegment, (liveReferences[oldestSegment] ?? 0) <= 0 {
            liveReferences[oldestSegment] = nil
            segmentsToDelete.append(oldestSegment)
            oldestSegment += 1
        }
    }

    /// Starts collecting records that must be written all or none.
    public func beginGroup() {
        rotateIfFull()
        group = []
    }

    /// Writes the collected records as one record with one checksum.
    public func endGroup() {
        guard let records = group else { return }
        group = nil
        if records.count == 1, let only = records.first { append(only) } else if !records.isEmpty { append(.group(records)) }
    }

    /// Runs `callback` on the broker loop once everything appended so far is fsync'd.
    public func whenDurable(_ callback: @escaping () -> Void) {
        waiting.append(callback)
    }

    /// Writes everything recorded so far; the future completes once it is fsync'd (graceful shutdown).
    public func flush() -> EventLoopFuture<Void> {
        let promise = brokerLoop.makePromise(of: Void.self)
        whenDurable { promise.succeed() }
        commit()
        return promise.futureResult
    }

    /// Starts a write of everything pending unless one is in flight (then the next write takes it).
    public func commit() {
        guard !writeInFlight, !pending.isEmpty || !waiting.isEmpty || !segmentsToDelete.isEmpty else { return }
        writeInFlight = true
        let batches = pending
        let deletions = segmentsToDelete
        let callbacks = waiting
        pending.removeAll()
        segmentsToDelete.removeAll()
        waiting.removeAll()
        let files = self.files
        let this = NIOLoopBound(self, eventLoop: brokerLoop)
        let brokerLoop = self.brokerLoop
        let completion = NIOLoopBound(callbacks, eventLoop: brokerLoop)
        writerLoop.execute {
            let failure: StoreError?
            do {
                for batch in batches { try files.value.append(batch.bytes, to: batch.segment) }
                for segment in deletions { files.value.delete(segment) }
                failure = nil
            } catch let error as StoreError {
                failure = error
            } catch {
                failure = .io("\(error)", 0)
            }
            brokerLoop.execute {
                if let failure {
                    this.value.failureHandler(failure)
                    return  // confirms for unwritten records are never sent
                }
                this.value.writeInFlight = false
                for callback in completion.value { callback() }
                this.value.commit()
            }
        }
    }

    private func append(_ record: StoreRecord) {
        if group != nil {
            group?.append(record)
            return
        }
        rotateIfFull()
        if pending.last?.segment != currentSegment {
            pending.append((currentSegment, ByteBuffer()))
        }
        let before = pending[pending.count - 1].bytes.writerIndex
        record.write(to: &pending[pending.count - 1].bytes)
        currentSegmentBytes += pending[pending.count - 1].bytes.writerIndex - before
    }

    private func rotateIfFull() {
        if currentSegmentBytes >= Self.segmentLimit {
            currentSegment += 1
            currentSegmentBytes = 0
            collectDeletableSegments()
        }
    }
}
