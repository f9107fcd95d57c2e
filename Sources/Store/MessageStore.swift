import Broker
import Foundation
import Metrics
import NIOCore
import NIOPosix

/// The persistent-message log and the definitions file, used from the broker's event loop.
/// Records are gathered in memory and encoded and written by a dedicated writer thread (the
/// broker's loop only counts their length, for segment rotation); one write + fsync
/// covers every record appended since the previous one (group commit), then the definitions file
/// if it changed, and `whenDurable` callbacks run once all of that is on disk.
///
/// A write that fails is tried again (`attempts` times); if it still fails the store is failing:
/// every callback waiting, and every one registered while failing, is told `.failed` at once
/// (publishers get a nack, a declare an error), the unwritten records are kept, and every
/// `retryInterval` a write of them (and of the definitions last written) is tried until one succeeds.
public final class MessageStore {
    /// A segment is closed and a new one begun past this size.
    static let segmentLimit = 16 * 1024 * 1024
    /// Tries of one write before the store counts as failing.
    static let attempts = 3
    /// How often a failing store tries again.
    static let retryInterval = TimeAmount.seconds(1)
    /// 1 while writes fail, else 0 (in `/metrics`).
    static let failingGauge = Gauge(label: "warren_store_write_failing")
    /// Writes that failed after their retries (in `/metrics`).
    static let errorCounter = Counter(label: "warren_store_write_errors_total")

    private let brokerLoop: any EventLoop
    private let writerLoop: any EventLoop
    private let files: NIOLoopBound<SegmentFiles>
    /// Where the segments are (`SegmentFiles.directory`, readable off the writer's loop).
    private let segmentsDirectory: String
    private let definitionsFile: DefinitionsFile
    /// Records not yet handed to the writer, per segment (the writer thread encodes them).
    private var pending: [(segment: UInt32, records: [StoreRecord])] = []
    /// Stream files to fsync with the next write.
    private var pendingSyncs: [Int32] = []
    /// A new definitions file to write with the next batch.
    private var pendingDefinitions: Data?
    /// The definitions file's content as last written (rewritten by a failing store's retries).
    private var definitionsOnDisk: Data?
    /// Why writes fail, while they do.
    public private(set) var failure: StoreError?
    private var currentSegment: UInt32
    private var currentSegmentBytes = 0
    /// Per segment: references (message × queue) not yet removed.
    private var liveReferences: [UInt32: Int] = [:]
    /// The oldest segment still on disk. Segments are deleted oldest first only: a later segment
    /// may hold the `removed` and `delivered` records of messages in an earlier one.
    private var oldestSegment: UInt32
    /// Per stored message: its segment and how many queues still hold it.
    private var messages = MessageIndex()
    private var nextID: UInt64
    private var writeInFlight = false
    private var retryScheduled = false
    private var waiting: [(DiskOutcome) -> Void] = []
    private var segmentsToDelete: [UInt32] = []
    /// Told when writes start failing (the error) and when they work again (nil).
    private let stateChanged: (StoreError?) -> Void
    /// Records of an open group (a transaction being committed), written as one record at its end.
    private var group: [StoreRecord]?

    init(recovered: RecoveredMessages, files: NIOLoopBound<SegmentFiles>, segmentsDirectory: String, definitionsFile: DefinitionsFile,
         brokerLoop: any EventLoop, writerLoop: any EventLoop, stateChanged: @escaping (StoreError?) -> Void) {
        self.brokerLoop = brokerLoop
        self.writerLoop = writerLoop
        self.files = files
        self.segmentsDirectory = segmentsDirectory
        self.definitionsFile = definitionsFile
        self.currentSegment = recovered.nextSegment
        self.oldestSegment = recovered.oldestKeptSegment ?? recovered.nextSegment
        self.nextID = recovered.nextID
        self.stateChanged = stateChanged
        self.messages = recovered.index
        self.liveReferences = recovered.segmentReferences
    }

    /// A new message id.
    public func allocateID() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    /// The segment file holding the publish record of a message some queue still holds; nil for
    /// an id no queue holds. The record may not be written yet (a write in flight or failing).
    public func segmentPath(of id: UInt64) -> String? {
        messages[id].map { segmentsDirectory + "/" + SegmentFiles.name($0.segment) }
    }

    /// Appends a publish record for a message held by `queues`.
    public func stored(_ record: StoreRecord) {
        if group == nil { rotateIfFull() }  // the record's segment must be the one it is written to
        if case .publish(let id, _, let queues, _, _, _, _, _) = record {
            messages.set(id, segment: currentSegment, references: UInt32(clamping: queues.count))
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
        messages.set(id, segment: entry.segment, references: entry.references - 1)
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

    /// fsyncs these descriptors (stream files, `StreamLog.takeSyncs`) with the next write, before
    /// its callbacks run, and closes them.
    public func syncWithNextWrite(_ descriptors: [Int32]) {
        pendingSyncs.append(contentsOf: descriptors)
    }

    /// Writes the definitions file (its whole new content) with the next batch.
    public func saveDefinitions(_ data: Data) {
        pendingDefinitions = data
    }

    /// The definitions file as read or written at startup: what a failing store's retries rewrite.
    func definitionsOnDisk(_ data: Data) {
        definitionsOnDisk = data
    }

    /// Runs `callback` on the broker loop once everything appended so far is fsync'd, or could not be.
    public func whenDurable(_ callback: @escaping (DiskOutcome) -> Void) {
        waiting.append(callback)
    }

    /// Writes everything recorded so far; the future completes once it is fsync'd (graceful shutdown).
    public func flush() -> EventLoopFuture<Void> {
        let promise = brokerLoop.makePromise(of: Void.self)
        let failure = self.failure
        whenDurable { outcome in
            if case .written = outcome { promise.succeed() } else { promise.fail(failure ?? StoreError.io("flush", 0)) }
        }
        commit()
        return promise.futureResult
    }

    /// Starts a write of everything pending unless one is in flight (then the next write takes it).
    /// While the store is failing, waiting callbacks are failed at once and the retry timer writes.
    public func commit() {
        guard !writeInFlight else { return }
        if let failure {
            failWaiting(failure)
            return
        }
        guard !pending.isEmpty || !waiting.isEmpty || !segmentsToDelete.isEmpty || pendingDefinitions != nil || !pendingSyncs.isEmpty else {
            return
        }
        write(definitions: pendingDefinitions)
    }

    private func write(definitions: Data?) {
        writeInFlight = true
        let batch = WriteBatch(segments: pending, deletions: segmentsToDelete, definitions: definitions, syncs: pendingSyncs)
        pendingSyncs.removeAll()
        let callbacks = NIOLoopBound(waiting, eventLoop: brokerLoop)
        pending.removeAll()
        segmentsToDelete.removeAll()
        pendingDefinitions = nil
        waiting.removeAll()
        let files = self.files
        let definitionsFile = self.definitionsFile
        let this = NIOLoopBound(self, eventLoop: brokerLoop)
        let brokerLoop = self.brokerLoop
        writerLoop.execute {
            let result = batch.perform(files: files.value, definitionsFile: definitionsFile, attempts: Self.attempts)
            brokerLoop.execute { this.value.finished(batch, result, callbacks: callbacks.value) }
        }
    }

    private func finished(_ batch: WriteBatch, _ result: WriteBatch.Result, callbacks: [(DiskOutcome) -> Void]) {
        writeInFlight = false
        guard let error = result.error else {
            if let definitions = batch.definitions { definitionsOnDisk = definitions }
            if failure != nil {
                failure = nil
                Self.failingGauge.record(0)
                stateChanged(nil)
            }
            for callback in callbacks { callback(.written) }
            commit()
            return
        }
        // Unwritten records wait for the next try; unwritten definitions are dropped (the broker
        // goes back to the definitions on disk when its change fails).
        pending.insert(contentsOf: batch.segments[result.writtenSegments...], at: 0)
        if !result.deleted { segmentsToDelete.insert(contentsOf: batch.deletions, at: 0) }
        Self.errorCounter.increment()
        if failure == nil {
            Self.failingGauge.record(1)
            stateChanged(error)
        }
        failure = error
        waiting.insert(contentsOf: callbacks, at: 0)
        failWaiting(error)
        scheduleRetry()
    }

    /// Tells every waiting callback that its records are not on disk (on a later turn of the loop,
    /// not inside the burst that registered it).
    private func failWaiting(_ error: StoreError) {
        pendingDefinitions = nil
        guard !waiting.isEmpty else { return }
        let callbacks = NIOLoopBound(waiting, eventLoop: brokerLoop)
        waiting.removeAll()
        brokerLoop.execute {
            for callback in callbacks.value { callback(.failed(error.description)) }
        }
    }

    private func scheduleRetry() {
        guard !retryScheduled else { return }
        retryScheduled = true
        let this = NIOLoopBound(self, eventLoop: brokerLoop)
        brokerLoop.scheduleTask(in: Self.retryInterval) {
            let store = this.value
            store.retryScheduled = false
            guard store.failure != nil else { return }
            if store.writeInFlight { store.scheduleRetry() } else { store.write(definitions: store.definitionsOnDisk) }
        }
    }

    private func append(_ record: StoreRecord) {
        if group != nil {
            group?.append(record)
            return
        }
        rotateIfFull()
        if pending.last?.segment != currentSegment {
            pending.append((currentSegment, []))
        }
        pending[pending.count - 1].records.append(record)
        currentSegmentBytes += record.encodedLength
    }

    private func rotateIfFull() {
        if currentSegmentBytes >= Self.segmentLimit {
            currentSegment += 1
            currentSegmentBytes = 0
            collectDeletableSegments()
        }
    }
}
