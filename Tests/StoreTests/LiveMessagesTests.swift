import Testing

@testable import Store

/// The first pass's liveness: held, delivered and removed per queue, compact for single-queue
/// messages, a side list for shared ones, the live publish told apart from a replaced one.
@Suite struct LiveMessagesTests {
    private func holdings(_ live: LiveMessages, _ id: UInt64, segment: UInt32 = 1, ordinal: UInt32) -> [LiveMessages.Holding] {
        var found: [LiveMessages.Holding] = []
        live.forEachHolding(of: id, segment: segment, ordinal: ordinal) { found.append($0) }
        return found
    }

    private func held(_ live: LiveMessages) -> [UInt64: (segment: UInt32, references: Int)] {
        var found: [UInt64: (segment: UInt32, references: Int)] = [:]
        live.forEachHeld { id, segment, references in found[id] = (segment, references) }
        return found
    }

    @Test func aSingleQueueMessageIsDeliveredAndRemovedByItsQueueOnly() {
        var live = LiveMessages()
        live.published(7, segment: 1, ordinal: 0, queues: [3])
        live.delivered(7) { $0 == 4 }  // another queue: ignored
        #expect(holdings(live, 7, ordinal: 0) == [.init(queue: 3, delivered: false)])
        live.delivered(7) { $0 == 3 }
        #expect(holdings(live, 7, ordinal: 0) == [.init(queue: 3, delivered: true)])
        live.removed(7) { $0 == 4 }
        #expect(held(live)[7]?.references == 1)
        live.removed(7) { $0 == 3 }
        #expect(holdings(live, 7, ordinal: 0).isEmpty)
        #expect(live.chunkCount == 0)
    }

    @Test func aSharedMessageKeepsEachQueuesDeliveryAndShrinksToOne() {
        var live = LiveMessages()
        live.published(1, segment: 2, ordinal: 5, queues: [10, 11, 12, 11])
        #expect(held(live)[1]?.references == 3, "a repeated queue counts once")
        live.delivered(1) { $0 == 12 }
        live.removed(1) { $0 == 10 }
        #expect(holdings(live, 1, segment: 2, ordinal: 5) == [.init(queue: 11, delivered: false), .init(queue: 12, delivered: true)])
        live.removed(1) { $0 == 11 }
        #expect(holdings(live, 1, segment: 2, ordinal: 5) == [.init(queue: 12, delivered: true)])
        #expect(held(live)[1]?.references == 1)
        live.removed(1) { $0 == 12 }
        #expect(held(live).isEmpty)
    }

    /// A later publish of the same id is the live one: the earlier record is not restored.
    @Test func onlyTheLastPublishOfAnIdIsLive() {
        var live = LiveMessages()
        live.published(4, segment: 1, ordinal: 0, queues: [1, 2])
        live.delivered(4) { $0 == 1 }
        live.published(4, segment: 3, ordinal: 9, queues: [1])
        #expect(holdings(live, 4, segment: 1, ordinal: 0).isEmpty)
        #expect(holdings(live, 4, segment: 3, ordinal: 8).isEmpty)
        #expect(holdings(live, 4, segment: 3, ordinal: 9) == [.init(queue: 1, delivered: false)])
        #expect(held(live)[4]?.segment == 3)
    }

    @Test func aPublishToNoQueueIsNotHeld() {
        var live = LiveMessages()
        live.published(1, segment: 1, ordinal: 0, queues: [])
        #expect(held(live).isEmpty && live.chunkCount == 0)
    }

    /// 100,000 single-queue messages take 391 chunks of 256 ids (13 bytes an id), and nothing per
    /// message beside them.
    @Test func aLongBacklogCostsItsChunksOnly() {
        var live = LiveMessages()
        for id in UInt64(1)...100_000 { live.published(id, segment: UInt32(id / 10_000), ordinal: UInt32(id % 10_000), queues: [0]) }
        #expect(live.chunkCount == 391)
        #expect(held(live).count == 100_000)
        for id in UInt64(1)...100_000 where id != 50_000 { live.removed(id) { $0 == 0 } }
        #expect(live.chunkCount == 1)
    }
}
