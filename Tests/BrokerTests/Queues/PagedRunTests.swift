import Testing

@testable import Broker

/// Paged messages in chunks: order kept across chunk boundaries, iteration sees only what is left.
@Suite struct PagedRunTests {
    static func paged(_ sequence: UInt64) -> PagedMessage {
        PagedMessage(sequence: sequence, storeID: sequence, expiresAt: .max,
                     location: PageLocation(file: 1, offset: UInt32(truncatingIfNeeded: sequence), length: 1), bodyLength: 0,
                     priority: 0, redelivered: false)
    }

    @Test func keepsOrderAcrossChunksWhileAppendingAndTaking() {
        var run = PagedRun()
        let total = PagedRun.chunkCapacity * 3 + 5
        var taken: [UInt64] = []
        for sequence in 0..<UInt64(total) {
            run.append(Self.paged(sequence))
            if sequence % 3 == 0, let first = run.popFirst() { taken.append(first.sequence) }
        }
        #expect(run.count == total - taken.count)
        #expect(run.first?.sequence == UInt64(taken.count))
        #expect(Array(run).map(\.sequence) == (UInt64(taken.count)..<UInt64(total)).map { $0 })
        while let first = run.popFirst() { taken.append(first.sequence) }
        #expect(taken == (0..<UInt64(total)).map { $0 })
        #expect(run.isEmpty && run.first == nil && Array(run).isEmpty)
    }

    @Test func extremeValuesAreKeptAsGiven() {
        var run = PagedRun()
        let extreme = PagedMessage(sequence: .max, storeID: .max, expiresAt: .min,
                                   location: PageLocation(file: .max, offset: .max, length: .max), bodyLength: .max,
                                   priority: .max, redelivered: true)
        run.append(extreme)
        let back = run.popFirst()
        #expect(back?.sequence == .max && back?.expiresAt == .min && back?.location == extreme.location)
        #expect(back?.bodyLength == .max && back?.priority == .max && back?.redelivered == true)
    }
}
