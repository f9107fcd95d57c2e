import DequeModule

/// A queue's ready messages in delivery order: highest priority first, then by publish sequence.
/// A priority queue keeps one level per priority (as RabbitMQ keeps one backing queue per
/// priority), so a publish at any priority is an append and a requeue a binary search within its
/// level: no message of another priority is ever shifted, whatever order priorities arrive in.
struct ReadyMessages: Sequence {
    /// Index = effective priority (the message's, capped at the queue's x-max-priority).
    private var levels = [ReadyLevel()]
    private(set) var count = 0
    /// Messages in the levels' paged runs.
    private(set) var pagedCount = 0

    var isEmpty: Bool { count == 0 }

    /// When the next message to deliver expires.
    var firstExpiry: Int64? {
        guard let level = levels.last(where: { !$0.isEmpty }) else { return nil }
        return level.firstExpiry
    }

    /// Changes the number of priority levels (x-max-priority; nil or 0 for a plain FIFO queue),
    /// re-sorting the messages already held.
    mutating func setMaxPriority(_ maxPriority: UInt8?) {
        let levelCount = Int(maxPriority ?? 0) + 1
        guard levelCount != levels.count else { return }
        let held = Array(self).sorted { $0.sequence < $1.sequence }
        levels = Array(repeating: ReadyLevel(), count: levelCount)
        count = 0
        pagedCount = 0
        for entry in held {
            switch entry {
            case .inMemory(let message): insert(message)
            case .paged(let message): append(message)
            }
        }
    }

    private func level(of priority: UInt8) -> Int { Swift.min(Int(priority), levels.count - 1) }

    /// Whether a message published now at this priority must be paged to keep its level in order
    /// (true), may be (false), or must stay in memory (nil: messages after the run are in memory).
    func mustPage(priority: UInt8) -> Bool? { levels[level(of: priority)].mustPageNext }

    /// Adds an in-memory message at its place: at the end of its level, or, for a requeued one,
    /// back at its original position by sequence.
    mutating func insert(_ entry: QueuedMessage) {
        levels[level(of: entry.message.priority)].insert(entry)
        count += 1
    }

    /// Adds a paged message after every other of its level.
    mutating func append(_ message: PagedMessage) {
        levels[level(of: message.priority)].paged.append(message)
        count += 1
        pagedCount += 1
    }

    /// Removes and returns the next message to deliver.
    mutating func popFirst() -> ReadyEntry? {
        guard let level = levels.lastIndex(where: { !$0.isEmpty }), let entry = levels[level].popFirst() else { return nil }
        count -= 1
        if case .paged = entry { pagedCount -= 1 }
        return entry
    }

    /// Removes up to `limit` paged messages that follow `message` (just taken by `popFirst`) in its
    /// level, for reading ahead.
    mutating func popPaged(following message: PagedMessage, limit: Int) -> [PagedMessage] {
        let index = level(of: message.priority)
        var taken: [PagedMessage] = []
        while taken.count < limit, levels[index].memory.isEmpty, let next = levels[index].paged.popFirst() {
            taken.append(next)
        }
        levels[index].mergeLaterIfPagedEmpty()
        count -= taken.count
        pagedCount -= taken.count
        return taken
    }

    /// Where the first `limit` paged messages of the level of `priority` are, when exactly `limit`
    /// messages in memory come before them (so a queue draining toward them asks once); else nil.
    func pagedAhead(priority: UInt8, limit: Int) -> [PageLocation]? {
        guard pagedCount > 0 else { return nil }
        let level = levels[level(of: priority)]
        guard level.memory.count == limit, !level.paged.isEmpty else { return nil }
        return level.paged.prefix(limit).map(\.location)
    }

    /// Puts messages read back from their pages in front of their level, in the order given.
    mutating func restoreFront(_ entries: [QueuedMessage]) {
        guard let first = entries.first else { return }
        levels[level(of: first.message.priority)].memory.prepend(contentsOf: entries)
        count += entries.count
    }

    /// Removes every message, returning them in delivery order.
    mutating func removeAll() -> ReadyMessages {
        defer { self = ReadyMessages(levels: Array(repeating: ReadyLevel(), count: levels.count)) }
        return self
    }

    private init(levels: [ReadyLevel]) {
        self.levels = levels
    }

    init() {}

    func makeIterator() -> some IteratorProtocol<ReadyEntry> {
        levels.reversed().lazy.flatMap { $0.entries }.makeIterator()
    }
}

/// A ready message, in memory or paged out.
enum ReadyEntry {
    case inMemory(QueuedMessage)
    case paged(PagedMessage)

    var sequence: UInt64 {
        switch self {
        case .inMemory(let message): message.sequence
        case .paged(let message): message.sequence
        }
    }

    var storeID: UInt64 {
        switch self {
        case .inMemory(let message): message.storeID
        case .paged(let message): message.storeID
        }
    }
}
