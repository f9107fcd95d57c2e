import DequeModule

/// The ready messages of one priority level, in order: the in-memory ones at the front (requeued
/// and read-ahead messages among them), then the paged run, then messages that arrived while the
/// run existed but could not be paged (a failed write), which join the front once the run is read.
struct ReadyLevel {
    var memory = Deque<QueuedMessage>()
    var paged = PagedRun()
    private var later = Deque<QueuedMessage>()

    var isEmpty: Bool { memory.isEmpty && paged.isEmpty && later.isEmpty }

    /// Whether the next new message must be paged (true: there is a run), may be (false), or must
    /// stay in memory (nil: messages that follow the run are in memory).
    var mustPageNext: Bool? { later.isEmpty ? !paged.isEmpty : nil }

    var firstExpiry: Int64? { memory.first?.expiresAt ?? paged.first?.expiresAt ?? later.first?.expiresAt }

    /// Adds an in-memory message by sequence: requeued ones go back among the front messages (every
    /// message delivered came from there), new ones after the run when there is one.
    mutating func insert(_ entry: QueuedMessage) {
        if let firstPaged = paged.first, entry.sequence > firstPaged.sequence {
            Self.insert(entry, into: &later)
        } else {
            Self.insert(entry, into: &memory)
        }
    }

    private static func insert(_ entry: QueuedMessage, into messages: inout Deque<QueuedMessage>) {
        guard let last = messages.last, last.sequence > entry.sequence else {
            messages.append(entry)
            return
        }
        messages.insert(entry, at: messages.partitioningIndex { $0.sequence > entry.sequence })
    }

    mutating func popFirst() -> ReadyEntry? {
        if let entry = memory.popFirst() { return .inMemory(entry) }
        if let message = paged.popFirst() {
            mergeLaterIfPagedEmpty()
            return .paged(message)
        }
        return later.popFirst().map(ReadyEntry.inMemory)
    }

    /// Once the run is read, what came after it is simply the front.
    mutating func mergeLaterIfPagedEmpty() {
        guard paged.isEmpty, !later.isEmpty else { return }
        memory.append(contentsOf: later)
        later.removeAll()
    }

    /// Every message of the level in delivery order, without copying them.
    var entries: some Sequence<ReadyEntry> {
        [AnySequence(memory.lazy.map(ReadyEntry.inMemory)), AnySequence(paged.lazy.map(ReadyEntry.paged)),
         AnySequence(later.lazy.map(ReadyEntry.inMemory))].joined()
    }
}
