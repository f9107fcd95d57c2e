import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// A queue over its memory limit: messages go to the pager as records and come back in order
/// with everything they had (routing, properties, redelivered flag, expiry), whatever is in between.
@Suite struct PagedBacklogTests {
    /// Keeps records in memory, can be told to fail, and counts what it still holds.
    final class MemoryPager: BodyPager {
        var records: [UInt32: ByteBuffer] = [:]
        var next: UInt32 = 0
        var failWrites = false
        var reads = 0
        /// Every `prefetch` call's locations.
        var prefetches: [[PageLocation]] = []

        func pageOut(_ record: ByteBuffer) -> PageLocation? {
            guard !failWrites else { return nil }
            next += 1
            records[next] = record
            return PageLocation(file: 1, offset: next, length: UInt32(record.readableBytes))
        }

        func pageIn(_ locations: [PageLocation]) -> [ByteBuffer?] {
            reads += 1
            return locations.map { records.removeValue(forKey: $0.offset) }
        }

        /// Stored copies `recover` finds, by store id, and the store ids of each `recover` call.
        var stored: [UInt64: StoredMessage] = [:]
        var recoveries: [[UInt64]] = []

        func recover(_ storeIDs: [UInt64], queue: String, vhost: String) -> [StoredMessage?] {
            recoveries.append(storeIDs)
            return storeIDs.map { stored[$0] }
        }

        func prefetch(_ locations: [PageLocation]) { prefetches.append(locations) }

        func release(_ location: PageLocation) { records[location.offset] = nil }
    }

    static func message(_ index: Int, priority: UInt8? = nil) -> Message {
        let properties = BasicProperties(headers: ["index": .int32(Int32(index))], priority: priority, messageID: "id-\(index)")
        return Message(exchange: "logs", routingKey: "key.\(index)",
                       header: ContentHeader(bodySize: UInt64("body \(index)".utf8.count), properties: properties),
                       body: ByteBuffer(string: "body \(index)"))
    }

    /// A queue that pages every message (limit 0). It holds its pager weakly: the test keeps it.
    static func pagingQueue(_ pager: MemoryPager) -> Queue {
        let queue = Queue(name: "q", vhost: "/", durable: false, autoDelete: false, arguments: [:], owner: nil)
        queue.pager = pager
        queue.memoryLimit = 0
        return queue
    }

    static func drain(_ queue: Queue, now: Int64 = 0) -> [QueuedMessage] {
        var taken: [QueuedMessage] = []
        while let entry = queue.dequeue(now: now) { taken.append(entry) }
        return taken
    }

    @Test func aPagedMessageCostsFortyEightBytes() {
        #expect(PagedMessage.footprint == 48)
        #expect(MemoryLayout<PageLocation>.size == 12)
    }

    @Test func everyMessageComesBackInOrderWithItsRoutingAndProperties() throws {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        let count = PagedRun.chunkCapacity * 2 + Queue.readAheadCount + 7
        for index in 0..<count { queue.enqueue(Self.message(index), storeID: UInt64(index + 1)) }
        #expect(queue.pagedCount == count)
        #expect(queue.readyBytes == count * PagedMessage.footprint)
        #expect(queue.readyBodyBytes == (0..<count).reduce(0) { $0 + "body \($1)".utf8.count })
        let taken = Self.drain(queue)
        #expect(taken.map(\.sequence) == (0..<count).map(UInt64.init))
        for (index, entry) in taken.enumerated() {
            #expect(entry.message.exchange == "logs" && entry.message.routingKey == "key.\(index)")
            #expect(String(buffer: entry.message.body) == "body \(index)")
            let properties = try entry.message.header.properties()
            #expect(properties.messageID == "id-\(index)" && properties.headers?["index"] == .int32(Int32(index)))
            #expect(entry.storeID == UInt64(index + 1) && !entry.redelivered)
        }
        #expect(pager.records.isEmpty)
        #expect(pager.reads == (count + Queue.readAheadCount - 1) / Queue.readAheadCount)
        #expect(queue.readyBytes == 0 && queue.readyBodyBytes == 0 && queue.pagedCount == 0)
    }

    @Test func eachBatchIsAskedForAheadBeforeItIsRead() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        let batch = Queue.readAheadCount
        for index in 0..<(batch * 3 + 5) { queue.enqueue(Self.message(index)) }
        #expect(queue.dequeue(now: 0)?.sequence == 0)
        // The first batch was read on demand; the second is asked for as the first comes into memory.
        #expect(pager.reads == 1)
        #expect(pager.prefetches.map { $0.map(\.offset) } == [Array(UInt32(batch + 1)...UInt32(2 * batch))])
        for _ in 1..<batch { _ = queue.dequeue(now: 0) }
        #expect(queue.dequeue(now: 0)?.sequence == UInt64(batch))
        #expect(pager.prefetches.count == 2 && pager.prefetches[1].first?.offset == UInt32(2 * batch + 1))
        #expect(Self.drain(queue).map(\.sequence) == (batch + 1..<(batch * 3 + 5)).map(UInt64.init))
        // The last, partial batch: nothing behind it to ask for.
        #expect(pager.prefetches.count == 3 && pager.prefetches[2].count == 5)
    }

    @Test func aQueueDrainingItsMemoryAsksForThePagedRunAhead() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        queue.memoryLimit = Int.max
        let batch = Queue.readAheadCount
        for index in 0..<(batch + 2) { queue.enqueue(Self.message(index)) }
        queue.memoryLimit = 0
        for index in (batch + 2)..<(batch + 12) { queue.enqueue(Self.message(index)) }
        #expect(queue.pagedCount == 10 && pager.prefetches.isEmpty)
        _ = queue.dequeue(now: 0)
        #expect(pager.prefetches.isEmpty)
        _ = queue.dequeue(now: 0)  // exactly a batch left in memory before the run
        #expect(pager.prefetches.map(\.count) == [10])
        #expect(Self.drain(queue).map(\.sequence) == (2..<(batch + 12)).map(UInt64.init))
    }

    @Test func requeuedMessagesGoBackBeforeThePagedRunMarkedRedelivered() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        for index in 0..<600 { queue.enqueue(Self.message(index)) }
        let first = (0..<3).compactMap { _ in queue.dequeue(now: 0) }
        for entry in first.reversed() { queue.requeue(entry) }
        let taken = Self.drain(queue)
        #expect(taken.map(\.sequence) == (0..<600).map(UInt64.init))
        #expect(taken.prefix(3).allSatisfy(\.redelivered) && !taken.dropFirst(3).contains(where: \.redelivered))
    }

    @Test func aRecoveredRedeliveredMessageStaysRedeliveredThroughItsPage() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        queue.enqueue(Self.message(0), storeID: 9, redelivered: true)
        #expect(queue.dequeue(now: 0)?.redelivered == true)
    }

    @Test func aFailedWriteKeepsTheMessageInMemoryAndInOrder() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        for index in 0..<5 { queue.enqueue(Self.message(index)) }
        pager.failWrites = true
        for index in 5..<8 { queue.enqueue(Self.message(index)) }
        pager.failWrites = false
        for index in 8..<10 { queue.enqueue(Self.message(index)) }
        // 8 and 9 stay in memory too, behind 5-7: nothing overtakes a message kept after the run.
        #expect(queue.pagedCount == 5)
        #expect(Self.drain(queue).map(\.sequence) == (0..<10).map(UInt64.init))
    }

    @Test func expiredPagedMessagesAreDiscardedAtTheHead() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        queue.enqueue(Self.message(0), expiresAt: 10)
        queue.enqueue(Self.message(1), expiresAt: 10)
        queue.enqueue(Self.message(2), expiresAt: .max)
        #expect(queue.headExpiry == 10)
        queue.expireHead(now: 10)
        #expect(queue.discarded.map(\.entry.message.routingKey) == ["key.0", "key.1"])
        #expect(queue.discarded.allSatisfy { $0.reason == .expired })
        #expect(queue.headExpiry == nil)
        #expect(Self.drain(queue, now: 11).map(\.sequence) == [2])
    }

    @Test func hostileExpiryValuesDoNotTrap() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        queue.enqueue(Self.message(0), expiresAt: .min)
        queue.enqueue(Self.message(1), expiresAt: .max)
        queue.enqueue(Self.message(2), storeID: .max, expiresAt: .max - 1)
        // .max is "never": the only one left at the end of time.
        #expect(Self.drain(queue, now: .max).map(\.sequence) == [1])
        #expect(queue.discarded.map(\.entry.sequence) == [0, 2])
    }

    @Test func purgeReleasesEveryPageAndReturnsTheStoreIDs() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        for index in 0..<2_000 { queue.enqueue(Self.message(index), storeID: index % 2 == 0 ? UInt64(index + 1) : 0) }
        #expect(queue.dequeue(now: 0)?.sequence == 0)  // the next 255 are read ahead, in memory
        let removed = queue.removeAllReady()
        #expect(removed.count == 1_999)
        #expect(removed.storeIDs == stride(from: 3, through: 1_999, by: 2).map(UInt64.init))
        #expect(pager.records.isEmpty)
        #expect(queue.readyBytes == 0 && queue.pagedCount == 0 && queue.messageCount == 0)
    }

    @Test func dropHeadOverflowReadsBackAndDiscardsTheOldest() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        var features = QueueFeatures()
        features.maxLength = 3
        queue.features = features
        for index in 0..<10 { queue.enqueue(Self.message(index)) }
        #expect(queue.discarded.map(\.entry.sequence) == (0..<7).map(UInt64.init))
        #expect(queue.discarded.allSatisfy { $0.reason == .maxlen })
        #expect(Self.drain(queue).map(\.sequence) == [7, 8, 9])
    }

    @Test func maxLengthBytesCountsPagedBodies() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        var features = QueueFeatures()
        features.maxLengthBytes = 12
        features.overflow = .rejectPublish
        queue.features = features
        queue.enqueue(Self.message(0))  // "body 0": 6 bytes
        queue.enqueue(Self.message(1))
        #expect(queue.pagedCount == 2)
        #expect(!queue.admits(Self.message(2)))
    }

    @Test func priorityLevelsPageSeparatelyAndDeliverHighestFirst() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        var features = QueueFeatures()
        features.maxPriority = 5
        queue.features = features
        for index in 0..<300 { queue.enqueue(Self.message(index, priority: UInt8(index % 3))) }
        let taken = Self.drain(queue)
        let expected = [2, 1, 0].flatMap { priority in (0..<300).filter { $0 % 3 == priority } }.map(UInt64.init)
        #expect(taken.map(\.sequence) == expected)
    }

    @Test func changingTheMaximumPriorityResortsPagedMessages() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        for index in 0..<10 { queue.enqueue(Self.message(index, priority: UInt8(index % 2))) }
        var features = QueueFeatures()
        features.maxPriority = 1
        queue.features = features
        #expect(Self.drain(queue).map(\.sequence) == [1, 3, 5, 7, 9, 0, 2, 4, 6, 8])
    }

    @Test func anUnreadableRecordIsDroppedAndTheRestDelivered() {
        let pager = MemoryPager()
        let queue = Self.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        for index in 0..<4 { queue.enqueue(Self.message(index)) }
        pager.records[2] = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])  // the second message: a damaged record
        pager.records[3] = nil                                          // the third: gone
        #expect(Self.drain(queue).map(\.sequence) == [0, 3])
        #expect(queue.readyBytes == 0 && queue.readyBodyBytes == 0)
    }
}
