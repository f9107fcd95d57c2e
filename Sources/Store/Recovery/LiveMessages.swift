/// What the first pass of recovery keeps per stored message still held by a queue: where its
/// publish record is (segment and ordinal in it), the queue holding it (a `QueueNames` number) and
/// whether that queue delivered it. Nothing about its content: the second pass reads that again.
///
/// Kept like `MessageIndex`, in chunks of `chunkSize` consecutive ids, 13 bytes an id, a chunk freed
/// once none of its ids is held: a backlog of n single-queue messages costs about 13n bytes. The
/// chunks are a quarter of the index's, so ids far apart (a damaged log) cost 3.3 KB each, not 13.
/// A message held by several queues keeps their list in a side table (an allocation of its own).
struct LiveMessages: Sendable {
    static let chunkSize = 256

    /// A queue holding a message, and whether it delivered it (it comes back redelivered).
    struct Holding: Equatable, Sendable {
        var queue: UInt32
        var delivered: Bool
    }

    private struct Chunk: Sendable {
        var segments = ContiguousArray<UInt32>(repeating: 0, count: LiveMessages.chunkSize)
        var ordinals = ContiguousArray<UInt32>(repeating: 0, count: LiveMessages.chunkSize)
        /// The queue holding the message, unless it is `shared`.
        var queues = ContiguousArray<UInt32>(repeating: 0, count: LiveMessages.chunkSize)
        var flags = ContiguousArray<UInt8>(repeating: 0, count: LiveMessages.chunkSize)
        /// Ids of the chunk held.
        var held = 0
    }

    private enum Flag {
        static let held: UInt8 = 1
        static let delivered: UInt8 = 2
        /// Held by several queues: they are in `shared`.
        static let shared: UInt8 = 4
    }

    private var chunks: [UInt64: Chunk] = [:]
    /// The queues of each message held by more than one, in the order its publish record names them.
    private var shared: [UInt64: [Holding]] = [:]

    /// Chunks allocated (each `chunkSize` ids), for tests.
    var chunkCount: Int { chunks.count }

    /// A publish record: the message is held by `queues` (a repeated queue counts once). A publish
    /// of an id already held replaces it, as the later record is the one the log says last.
    mutating func published(_ id: UInt64, segment: UInt32, ordinal: UInt32, queues: [UInt32]) {
        forget(id)
        var holdings: [Holding] = []
        if queues.count > 1 {
            var seen = Set<UInt32>()
            holdings = queues.filter { seen.insert($0).inserted }.map { Holding(queue: $0, delivered: false) }
        }
        guard let first = queues.first else { return }
        let (number, slot) = Self.place(id)
        if chunks[number] == nil { chunks[number] = Chunk() }
        chunks[number]?.segments[slot] = segment
        chunks[number]?.ordinals[slot] = ordinal
        chunks[number]?.held += 1
        if holdings.count > 1 {
            shared[id] = holdings
            chunks[number]?.flags[slot] = Flag.held | Flag.shared
        } else {
            chunks[number]?.queues[slot] = first
            chunks[number]?.flags[slot] = Flag.held
        }
    }

    /// A delivered record: the queue that `isQueue` picks delivered the message.
    mutating func delivered(_ id: UInt64, by isQueue: (UInt32) -> Bool) {
        let (number, slot) = Self.place(id)
        guard let flags = chunks[number]?.flags[slot], flags & Flag.held != 0 else { return }
        if flags & Flag.shared != 0 {
            guard let index = shared[id]?.firstIndex(where: { isQueue($0.queue) }) else { return }
            shared[id]?[index].delivered = true
        } else if let queue = chunks[number]?.queues[slot], isQueue(queue) {
            chunks[number]?.flags[slot] = flags | Flag.delivered
        }
    }

    /// A removed record: the queue that `isQueue` picks no longer holds the message.
    mutating func removed(_ id: UInt64, by isQueue: (UInt32) -> Bool) {
        let (number, slot) = Self.place(id)
        guard let flags = chunks[number]?.flags[slot], flags & Flag.held != 0 else { return }
        guard flags & Flag.shared != 0 else {
            if let queue = chunks[number]?.queues[slot], isQueue(queue) { forget(id) }
            return
        }
        var holdings = shared[id] ?? []
        holdings.removeAll { isQueue($0.queue) }
        if holdings.count > 1 {
            shared[id] = holdings
        } else if let only = holdings.first {
            shared[id] = nil
            chunks[number]?.queues[slot] = only.queue
            chunks[number]?.flags[slot] = Flag.held | (only.delivered ? Flag.delivered : 0)
        } else {
            forget(id)
        }
    }

    /// Calls `body` with each queue holding the message whose publish record is the `ordinal`-th
    /// of `segment`, in the record's order; with none when that record is not the live publish of `id`.
    func forEachHolding(of id: UInt64, segment: UInt32, ordinal: UInt32, _ body: (Holding) throws -> Void) rethrows {
        let (number, slot) = Self.place(id)
        guard let chunk = chunks[number], chunk.flags[slot] & Flag.held != 0,
              chunk.segments[slot] == segment, chunk.ordinals[slot] == ordinal
        else { return }
        let flags = chunk.flags[slot]
        if flags & Flag.shared == 0 {
            try body(Holding(queue: chunk.queues[slot], delivered: flags & Flag.delivered != 0))
        } else {
            for holding in shared[id] ?? [] { try body(holding) }
        }
    }

    /// Calls `body` with every held message: its id, the segment of its publish record and how many
    /// queues hold it.
    func forEachHeld(_ body: (_ id: UInt64, _ segment: UInt32, _ references: Int) -> Void) {
        for (number, chunk) in chunks {
            for slot in 0..<Self.chunkSize where chunk.flags[slot] & Flag.held != 0 {
                let id = number * UInt64(Self.chunkSize) + UInt64(slot)
                let references = chunk.flags[slot] & Flag.shared != 0 ? shared[id]?.count ?? 0 : 1
                body(id, chunk.segments[slot], references)
            }
        }
    }

    private mutating func forget(_ id: UInt64) {
        let (number, slot) = Self.place(id)
        guard let flags = chunks[number]?.flags[slot], flags & Flag.held != 0 else { return }
        if flags & Flag.shared != 0 { shared[id] = nil }
        chunks[number]?.flags[slot] = 0
        chunks[number]?.held -= 1
        if chunks[number]?.held == 0 { chunks[number] = nil }
    }

    private static func place(_ id: UInt64) -> (chunk: UInt64, slot: Int) {
        let (number, slot) = id.quotientAndRemainder(dividingBy: UInt64(chunkSize))
        return (number, Int(slot))
    }
}
