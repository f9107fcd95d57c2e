import DequeModule

/// Paged messages in publish order, stored in fixed-size chunks: appending never copies what is
/// held, and unused capacity is at most one chunk, so a run of n messages takes about
/// n × `PagedMessage.footprint` bytes (a growing deque would keep up to twice that).
struct PagedRun {
    static let chunkCapacity = 1024

    /// Each chunk's messages from `start` on are live; the ones before it were taken.
    private var chunks = Deque<(start: Int, messages: ContiguousArray<PagedMessage>)>()
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    var first: PagedMessage? {
        guard let chunk = chunks.first else { return nil }
        return chunk.messages[chunk.start]
    }

    mutating func append(_ message: PagedMessage) {
        if chunks.isEmpty || chunks[chunks.count - 1].messages.count == Self.chunkCapacity {
            var messages = ContiguousArray<PagedMessage>()
            messages.reserveCapacity(Self.chunkCapacity)
            chunks.append((0, messages))
        }
        chunks[chunks.count - 1].messages.append(message)
        count += 1
    }

    mutating func popFirst() -> PagedMessage? {
        guard let chunk = chunks.first else { return nil }
        let message = chunk.messages[chunk.start]
        if chunk.start + 1 == chunk.messages.count {
            chunks.removeFirst()
        } else {
            chunks[0].start += 1
        }
        count -= 1
        return message
    }
}

extension PagedRun: Sequence {
    func makeIterator() -> some IteratorProtocol<PagedMessage> {
        chunks.lazy.flatMap { $0.messages[$0.start...] }.makeIterator()
    }
}
