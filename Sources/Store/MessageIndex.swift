/// Per stored message id: the segment of its publish record and how many queues still hold it.
///
/// Ids are handed out one after another, so the index is kept in chunks of `chunkSize`
/// consecutive ids, 8 bytes an id, a chunk freed once none of its ids is held: a backlog of n
/// persistent messages costs about 8n bytes here (a dictionary entry per message costs 21–43).
/// A chunk is found by its number in a dictionary, so ids far apart (a damaged or forged file)
/// cost a chunk each, never the ids in between.
struct MessageIndex {
    static let chunkSize = 1024

    private struct Chunk {
        /// Indexed by id modulo `chunkSize`; 0 references: not held.
        var segments: ContiguousArray<UInt32>
        var references: ContiguousArray<UInt32>
        /// Ids of the chunk held.
        var held = 0

        init() {
            segments = ContiguousArray(repeating: 0, count: MessageIndex.chunkSize)
            references = ContiguousArray(repeating: 0, count: MessageIndex.chunkSize)
        }
    }

    private var chunks: [UInt64: Chunk] = [:]

    /// Chunks allocated (each `chunkSize` ids), for tests.
    var chunkCount: Int { chunks.count }

    /// The segment and the number of queues holding `id`; nil when none does.
    subscript(id: UInt64) -> (segment: UInt32, references: UInt32)? {
        let (number, slot) = id.quotientAndRemainder(dividingBy: UInt64(Self.chunkSize))
        guard let chunk = chunks[number], chunk.references[Int(slot)] > 0 else { return nil }
        return (chunk.segments[Int(slot)], chunk.references[Int(slot)])
    }

    /// Records that `references` queues hold `id` (0: none, the id is forgotten).
    mutating func set(_ id: UInt64, segment: UInt32, references: UInt32) {
        let (number, remainder) = id.quotientAndRemainder(dividingBy: UInt64(Self.chunkSize))
        let slot = Int(remainder)
        guard references > 0 || chunks[number] != nil else { return }
        var chunk = chunks.removeValue(forKey: number) ?? Chunk()
        let wasHeld = chunk.references[slot] > 0
        chunk.segments[slot] = segment
        chunk.references[slot] = references
        chunk.held += (references > 0 ? 1 : 0) - (wasHeld ? 1 : 0)
        if chunk.held > 0 { chunks[number] = chunk }
    }
}
