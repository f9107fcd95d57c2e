import Testing

@testable import Store

/// The store's per-message index: what is set is found, a message no queue holds is forgotten,
/// a chunk goes with its last id, and hostile ids cost a chunk each, not the ids between.
@Suite struct MessageIndexTests {
    @Test func setEntriesAreFoundAndForgottenAtZeroReferences() {
        var index = MessageIndex()
        for id in UInt64(1)...3_000 { index.set(id, segment: UInt32(id / 100), references: id % 3 == 0 ? 2 : 1) }
        #expect(index[1]?.segment == 0 && index[1]?.references == 1)
        #expect(index[2_997]?.segment == 29 && index[2_997]?.references == 2 && index[2_999]?.references == 1)
        #expect(index[0] == nil && index[3_001] == nil)
        #expect(index.chunkCount == 3)
        index.set(3, segment: 0, references: 1)
        #expect(index[3]?.references == 1)
        for id in UInt64(1)...3_000 { index.set(id, segment: 0, references: 0) }
        #expect(index[3] == nil && index[2_999] == nil)
        #expect(index.chunkCount == 0)
    }

    @Test func aChunkStaysWhileOneOfItsIdsIsHeld() {
        var index = MessageIndex()
        let size = UInt64(MessageIndex.chunkSize)
        for id in 0..<size { index.set(id, segment: 7, references: 1) }
        for id in 0..<size where id != 500 { index.set(id, segment: 7, references: 0) }
        #expect(index.chunkCount == 1 && index[500]?.segment == 7)
        index.set(500, segment: 7, references: 0)
        #expect(index.chunkCount == 0)
    }

    @Test func forgettingAnIdNeverHeldAllocatesNothing() {
        var index = MessageIndex()
        index.set(42, segment: 1, references: 0)
        #expect(index.chunkCount == 0 && index[42] == nil)
    }

    @Test func hostileIdsCostAChunkEachAndDoNotTrap() {
        var index = MessageIndex()
        let ids: [UInt64] = [0, 1 << 62, UInt64(Int64.max), .max, .max - 1]
        for (position, id) in ids.enumerated() { index.set(id, segment: .max, references: UInt32(position + 1)) }
        #expect(index.chunkCount == 4)  // .max and .max - 1 share the last chunk
        for (position, id) in ids.enumerated() {
            #expect(index[id]?.segment == .max && index[id]?.references == UInt32(position + 1))
        }
        #expect(index[(1 << 62) + 1] == nil)
    }
}
