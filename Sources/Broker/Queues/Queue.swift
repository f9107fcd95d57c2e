import AMQPWire
import DequeModule

/// A queue: ready messages in order, its consumers in round-robin order, and its declaration.
public final class Queue {
    public let name: String
    public let vhost: String
    public let durable: Bool
    public let autoDelete: Bool
    public let arguments: FieldTable
    /// The connection that owns an exclusive queue.
    public let owner: ConnectionID?

    var ready = ReadyMessages()
    private(set) var consumers: [Consumer] = []
    private var nextSequence: UInt64 = 0
    private var roundRobin = 0
    /// Messages delivered and not yet acknowledged.
    public internal(set) var unackedCount = 0
    /// Bytes the ready messages hold in memory (`Message.footprint`, `PagedMessage.footprint` for
    /// a paged one), and the delivered but unacknowledged ones.
    public internal(set) var readyBytes = 0
    public internal(set) var unackedBytes = 0
    /// Set once a consumer has subscribed: auto-delete applies only after that.
    private(set) var hadConsumer = false
    /// Pages messages out while the ready messages hold more than `memoryLimit` bytes.
    weak var pager: (any BodyPager)?
    var memoryLimit = Int.max
    /// Ready messages kept on disk.
    public var pagedCount: Int { ready.pagedCount }
    /// The log of a stream queue (`x-queue-type: stream`); nil for a classic queue.
    var stream: StreamQueue?
    /// Set while the queue waits in the broker's dispatch list.
    var dispatchScheduled = false
    /// Set when deleted, so late acks and requeues for it are dropped.
    var isDeleted = false
    /// Publisher credit: whether its consumers are so far behind that its publishers are held back,
    /// the connections held, and whether the current burst published to it.
    var pressure = BacklogPressure()
    var heldPublishers: [Session] = []
    var publishedInBurst = false
    /// Messages enqueued, delivered and acknowledged so far.
    public internal(set) var counts = MessageCounts()
    /// TTL, limits, dead-lettering, priorities, single active consumer; nil for a plain queue.
    var features: QueueFeatures? {
        didSet {
            ready.setMaxPriority(features?.maxPriority)
            rejectsWhenFull = features.map { $0.hasLengthLimit && $0.overflow != .dropHead } ?? false
        }
    }
    /// A length limit with x-overflow reject-publish(-dlx): publishes are refused when full.
    private(set) var rejectsWhenFull = false
    /// Body bytes of the ready messages (what x-max-length-bytes limits).
    public internal(set) var readyBodyBytes = 0
    /// Broker clock when the queue was last used (declared, consumed from, fetched from), for x-expires.
    var lastUsed: Int64 = 0
    /// Set once a message with its own `expiration` arrived: the queue then needs the broker's timer.
    var holdsExpiringMessages = false
    /// Messages that left without being delivered (expired, over the length limit), for the broker
    /// to dead-letter or forget.
    var discarded: [(entry: QueuedMessage, reason: DeathReason)] = []
    /// Store ids of persistent messages lost from the queue (their paged record and stored copy
    /// could not be read back), for the broker to release.
    var lostStoreIDs: [UInt64] = []

    init(name: String, vhost: String, durable: Bool, autoDelete: Bool, arguments: FieldTable, owner: ConnectionID?) {
        self.name = name
        self.vhost = vhost
        self.durable = durable
        self.autoDelete = autoDelete
        self.arguments = arguments
        self.owner = owner
    }

    /// Ready messages; for a stream, the entries it keeps.
    public var messageCount: Int {
        guard let status = stream?.log.status else { return ready.count }
        return Int(clamping: status.nextOffset - status.firstOffset)
    }

    /// Whether the queue and its persistent messages survive a restart (exclusive queues never do).
    public var isPersistent: Bool { durable && owner == nil }
    public var consumerCount: Int { consumers.count }

    /// Adds a published message, to disk when the queue is over its memory limit. A queue with a
    /// length limit first hands what it can to its consumers, as RabbitMQ delivers to a waiting
    /// consumer before counting the queue's length.
    func enqueue(_ message: Message, storeID: UInt64 = 0, redelivered: Bool = false, expiresAt: Int64 = .max, now: Int64 = .min) {
        let entry = QueuedMessage(message: message, sequence: nextSequence, redelivered: redelivered, storeID: storeID,
                                  expiresAt: expiresAt)
        nextSequence &+= 1
        if !(pagesNext(message) && pageOut(entry)) { insert(entry) }
        if features?.hasLengthLimit == true {
            dispatch(now: now)
            dropOverflow()
        }
    }

    /// Adds an in-memory ready message at its place: by priority (highest first) on a priority
    /// queue, then by publish order.
    private func insert(_ entry: QueuedMessage) {
        readyBytes += entry.message.footprint
        readyBodyBytes += entry.message.body.readableBytes
        ready.insert(entry)
    }

    /// Removes every ready message (purge, delete), releasing their pages; returns how many there
    /// were and the store ids of the persisted ones (with those of messages lost before).
    func removeAllReady() -> (count: Int, storeIDs: [UInt64]) {
        defer {
            readyBytes = 0
            readyBodyBytes = 0
        }
        var storeIDs = lostStoreIDs
        lostStoreIDs.removeAll()
        for entry in ready {
            if case .paged(let message) = entry { pager?.release(message.location) }
            if entry.storeID != 0 { storeIDs.append(entry.storeID) }
        }
        return (ready.removeAll().count, storeIDs)
    }

    /// Puts a delivered message back at its original position, marked redelivered.
    func requeue(_ entry: QueuedMessage) {
        var entry = entry
        entry.redelivered = true
        insert(entry)
    }

    /// The next ready message that has not expired by `now`, its body read back from disk if it
    /// was paged out. Expired messages met on the way are discarded.
    func dequeue(now: Int64) -> QueuedMessage? {
        while let entry = takeHead() {
            if entry.expiresAt < now {
                discard(entry, reason: .expired)
                continue
            }
            return entry
        }
        return nil
    }

    /// Removes the head, read back from disk if it was paged out (with the paged messages behind
    /// it); one that cannot be read back is dropped (`readBack`).
    private func takeHead() -> QueuedMessage? {
        while let next = ready.popFirst() {
            switch next {
            case .inMemory(let entry):
                readyBytes -= entry.message.footprint
                readyBodyBytes -= entry.message.body.readableBytes
                readAheadIfDue(priority: entry.message.priority)
                return entry
            case .paged(let message):
                readBack(message)
            }
        }
        return nil
    }

    private func discard(_ entry: QueuedMessage, reason: DeathReason) {
        discarded.append((entry, reason))
    }

    /// Discards the messages at the head that have expired by `now` (inclusive: a message with
    /// TTL 0 that found no consumer in its own burst goes).
    func expireHead(now: Int64) {
        while let expiry = ready.firstExpiry, expiry <= now, let entry = takeHead() {
            discard(entry, reason: .expired)
        }
    }

    /// When the head of the queue expires; nil when it holds nothing that expires. For a stream:
    /// when it next needs the broker's timer (`StreamQueue.nextWake`).
    var headExpiry: Int64? {
        if let stream { return stream.nextWake }
        guard let expiry = ready.firstExpiry, expiry != .max else { return nil }
        return expiry
    }

    /// Whether a message fits under the length limits as they are now (reject-publish).
    func admits(_ message: Message) -> Bool {
        guard let features else { return true }
        if let maxLength = features.maxLength, ready.count >= maxLength { return false }
        if let maxBytes = features.maxLengthBytes, readyBodyBytes + message.body.readableBytes > maxBytes { return false }
        return true
    }

    /// drop-head: discards the oldest messages until the queue is within its limits again.
    private func dropOverflow() {
        guard let features, features.overflow == .dropHead else { return }
        while !ready.isEmpty,
              ready.count > features.maxLength ?? .max || readyBodyBytes > features.maxLengthBytes ?? .max,
              let entry = takeHead() {
            discard(entry, reason: .maxlen)
        }
    }

    func add(_ consumer: Consumer) {
        // Highest consumer priority first; equal priorities keep their arrival order.
        let index = consumers.firstIndex { $0.priority < consumer.priority } ?? consumers.endIndex
        consumers.insert(consumer, at: index)
        hadConsumer = true
    }

    /// The consumer that receives every message under x-single-active-consumer.
    var activeConsumer: Consumer? {
        features?.singleActiveConsumer == true ? consumers.first : nil
    }

    func remove(_ consumer: Consumer) {
        consumers.removeAll { $0 === consumer }
        if roundRobin >= consumers.count { roundRobin = 0 }
    }

    /// Hands ready messages to consumers with room, in round-robin order, until either runs out.
    func dispatch(now: Int64) {
        if let stream { return stream.dispatch(self, now: now) }
        while !ready.isEmpty, !consumers.isEmpty {
            guard let consumer = nextConsumerWithRoom() else { return }
            guard let entry = dequeue(now: now) else { return }
            consumer.deliver(entry, from: self)
        }
    }

    /// Round-robin among the consumers of the highest priority that has one with room; under
    /// single active consumer, only the first.
    private func nextConsumerWithRoom() -> Consumer? {
        if let active = activeConsumer { return active.hasRoom ? active : nil }
        let count = consumers.count
        // Sorted by priority: equal first and last means one group, the common case.
        if consumers.first?.priority == consumers.last?.priority { return nextConsumerWithRoom(in: 0..<count) }
        var offset = 0
        while offset < count {
            let priority = consumers[offset].priority
            var end = offset
            while end < count, consumers[end].priority == priority { end += 1 }
            if let consumer = nextConsumerWithRoom(in: offset..<end) { return consumer }
            offset = end
        }
        return nil
    }

    private func nextConsumerWithRoom(in group: Range<Int>) -> Consumer? {
        let count = group.count
        let start = group.contains(roundRobin) ? roundRobin - group.lowerBound : 0
        for step in 0..<count {
            let index = group.lowerBound + (start + step) % count
            let consumer = consumers[index]
            if consumer.hasRoom {
                roundRobin = index + 1 < group.upperBound ? index + 1 : group.lowerBound
                return consumer
            }
        }
        return nil
    }
}

extension Deque {
    /// The first index whose element satisfies the predicate, for a deque partitioned by it.
    func partitioningIndex(where belongsInSecondPartition: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsInSecondPartition(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
