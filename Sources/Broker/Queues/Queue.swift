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

    private(set) var ready = Deque<QueuedMessage>()
    private(set) var consumers: [Consumer] = []
    private var nextSequence: UInt64 = 0
    private var roundRobin = 0
    /// Messages delivered and not yet acknowledged.
    public internal(set) var unackedCount = 0
    /// Body and property bytes of the ready messages, and of the delivered but unacknowledged ones.
    public private(set) var readyBytes = 0
    public internal(set) var unackedBytes = 0
    /// Set once a consumer has subscribed: auto-delete applies only after that.
    private(set) var hadConsumer = false
    /// Pages bodies out while the ready messages hold more than `memoryLimit` bytes.
    weak var pager: (any BodyPager)?
    var memoryLimit = Int.max
    /// Ready messages whose bodies are on disk.
    public private(set) var pagedCount = 0
    /// Set while the queue waits in the broker's dispatch list.
    var dispatchScheduled = false
    /// Set when deleted, so late acks and requeues for it are dropped.
    var isDeleted = false

    init(name: String, vhost: String, durable: Bool, autoDelete: Bool, arguments: FieldTable, owner: ConnectionID?) {
        self.name = name
        self.vhost = vhost
        self.durable = durable
        self.autoDelete = autoDelete
        self.arguments = arguments
        self.owner = owner
    }

    public var messageCount: Int { ready.count }

    /// Whether the queue and its persistent messages survive a restart (exclusive queues never do).
    public var isPersistent: Bool { durable && owner == nil }
    public var consumerCount: Int { consumers.count }

    func enqueue(_ message: Message, storeID: UInt64 = 0, redelivered: Bool = false) {
        var entry = QueuedMessage(message: message, sequence: nextSequence, redelivered: redelivered, storeID: storeID)
        nextSequence &+= 1
        if readyBytes + message.footprint > memoryLimit, let pager,
           let location = pager.pageOut(properties: message.header.propertyBytes, body: message.body) {
            entry = QueuedMessage(message: message.skeleton, sequence: entry.sequence, redelivered: redelivered,
                                  storeID: storeID, paged: location)
            pagedCount += 1
        }
        readyBytes += entry.message.footprint
        ready.append(entry)
    }

    /// Removes and returns every ready message (purge, delete).
    func removeAllReady() -> Deque<QueuedMessage> {
        defer {
            ready.removeAll()
            readyBytes = 0
            pagedCount = 0
        }
        for entry in ready { if let location = entry.paged { pager?.release(location) } }
        return ready
    }

    /// Puts a delivered message back at its original position, marked redelivered.
    func requeue(_ entry: QueuedMessage) {
        var entry = entry
        entry.redelivered = true
        readyBytes += entry.message.footprint
        if let last = ready.last, last.sequence > entry.sequence {
            let index = ready.partitioningIndex { $0.sequence > entry.sequence }
            ready.insert(entry, at: index)
        } else {
            ready.append(entry)
        }
    }

    /// The next ready message, its body read back from disk if it was paged out.
    func dequeue() -> QueuedMessage? {
        while let entry = ready.popFirst() {
            readyBytes -= entry.message.footprint
            guard let location = entry.paged else { return entry }
            pagedCount -= 1
            guard let (properties, body) = pager?.pageIn(location) else { continue }  // unreadable: dropped, logged by the pager
            let message = entry.message.withContent(properties: properties, body: body)
            return QueuedMessage(message: message, sequence: entry.sequence, redelivered: entry.redelivered, storeID: entry.storeID)
        }
        return nil
    }

    func add(_ consumer: Consumer) {
        consumers.append(consumer)
        hadConsumer = true
    }

    func remove(_ consumer: Consumer) {
        consumers.removeAll { $0 === consumer }
        if roundRobin >= consumers.count { roundRobin = 0 }
    }

    /// Hands ready messages to consumers with room, in round-robin order, until either runs out.
    func dispatch() {
        while !ready.isEmpty, !consumers.isEmpty {
            guard let consumer = nextConsumerWithRoom() else { return }
            guard let entry = dequeue() else { return }
            consumer.deliver(entry, from: self)
        }
    }

    private func nextConsumerWithRoom() -> Consumer? {
        let count = consumers.count
        for offset in 0..<count {
            let index = (roundRobin + offset) % count
            let consumer = consumers[index]
            if consumer.hasRoom {
                roundRobin = (index + 1) % count
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
