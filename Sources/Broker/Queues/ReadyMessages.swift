import DequeModule

/// A queue's ready messages in delivery order: highest priority first, then by publish sequence.
/// A priority queue keeps one deque per priority level (as RabbitMQ keeps one backing queue per
/// priority), so a publish at any priority is an append and a requeue a binary search within its
/// level: no message of another priority is ever shifted, whatever order priorities arrive in.
struct ReadyMessages: Sequence {
    /// Index = effective priority (the message's, capped at the queue's x-max-priority).
    private var levels = [Deque<QueuedMessage>()]
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The next message to deliver.
    var first: QueuedMessage? { levels.last { !$0.isEmpty }?.first }

    /// Changes the number of priority levels (x-max-priority; nil or 0 for a plain FIFO queue),
    /// re-sorting the messages already held.
    mutating func setMaxPriority(_ maxPriority: UInt8?) {
        let levelCount = Int(maxPriority ?? 0) + 1
        guard levelCount != levels.count else { return }
        let held = Array(self)
        levels = Array(repeating: Deque(), count: levelCount)
        count = 0
        for entry in held { insert(entry) }
    }

    /// Adds a message at its place: at the end of its level, or, for a requeued one, back at its
    /// original position by sequence.
    mutating func insert(_ entry: QueuedMessage) {
        let level = Swift.min(Int(entry.message.priority), levels.count - 1)
        count += 1
        guard let last = levels[level].last, last.sequence > entry.sequence else {
            levels[level].append(entry)
            return
        }
        levels[level].insert(entry, at: levels[level].partitioningIndex { $0.sequence > entry.sequence })
    }

    /// Removes and returns the next message to deliver.
    mutating func popFirst() -> QueuedMessage? {
        guard let level = levels.lastIndex(where: { !$0.isEmpty }) else { return nil }
        count -= 1
        return levels[level].popFirst()
    }

    /// Removes every message, returning them in delivery order.
    mutating func removeAll() -> ReadyMessages {
        defer { self = ReadyMessages(levels: Array(repeating: Deque(), count: levels.count)) }
        return self
    }

    private init(levels: [Deque<QueuedMessage>]) {
        self.levels = levels
    }

    init() {}

    func makeIterator() -> FlattenSequence<ReversedCollection<[Deque<QueuedMessage>]>>.Iterator {
        levels.reversed().joined().makeIterator()
    }
}
