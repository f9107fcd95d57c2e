import Broker
import Foundation
import NIOCore
import Testing

@testable import Store

/// The message log as the broker drives it: records gathered on the broker loop, written and
/// fsync'd by the writer thread, callbacks after the write, segments rolled and deleted.
@Suite struct MessageStoreTests {
    @Test func whenDurableRunsAfterTheRecordsAreOnDisk() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            let seenOnDisk = try await harness.run { store -> EventLoopFuture<[String]> in
                let promise = harness.brokerLoop.makePromise(of: [String].self)
                for body in ["a", "b", "c"] { store.stored(publish(store.allocateID(), body)) }
                store.whenDurable { _ in
                    // What recovery would find if the process died right now.
                    promise.completeWith(Result(catching: { try recover(directory).bodies("q") }))
                }
                store.commit()
                return promise.futureResult
            }.get()
            #expect(seenOnDisk == ["a", "b", "c"])
            #expect(harness.failures.all.isEmpty)
            try await harness.shutdown()
        }
    }

    /// Nothing is written, and no callback runs, until commit.
    @Test func nothingIsWrittenBeforeCommit() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            let callbackRan = try await harness.run { store -> Bool in
                var ran = false
                store.stored(publish(store.allocateID(), "a"))
                store.whenDurable { _ in ran = true }
                return ran
            }
            #expect(!callbackRan)
            #expect(try segmentNumbers(in: directory) == [])
            try await harness.commitAndWait()
            #expect(try recover(directory).bodies("q") == ["a"])
            try await harness.shutdown()
        }
    }

    /// Callbacks registered while a write is in flight wait for the next write, and all of them
    /// run in registration order.
    @Test func groupCommitCallbacksRunInOrderAfterTheirWrite() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            let order = try await harness.run { store -> EventLoopFuture<[(Int, [String])]> in
                let promise = harness.brokerLoop.makePromise(of: [(Int, [String])].self)
                var seen: [(Int, [String])] = []
                for index in 0..<50 {
                    store.stored(publish(store.allocateID(), "m\(index)"))
                    store.whenDurable { _ in
                        seen.append((index, (try? recover(directory).bodies("q")) ?? []))
                        if seen.count == 50 { promise.succeed(seen) }
                    }
                    store.commit()  // the first starts a write; the rest are gathered behind it
                }
                return promise.futureResult
            }.get()
            #expect(order.map(\.0) == Array(0..<50))
            for (index, onDisk) in order {
                #expect(onDisk.count > index, "callback \(index) ran before its record was written")
                #expect(onDisk.prefix(index + 1) == ArraySlice((0...index).map { "m\($0)" }))
            }
            try await harness.shutdown()
        }
    }

    @Test func idsContinueAfterARestart() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let first = try await StoreHarness(directory: directory)
            let ids = try await first.run { store in
                let ids = (0..<3).map { _ in store.allocateID() }
                for id in ids { store.stored(publish(id, "m\(id)")) }
                store.removed(id: ids[2], queue: "q")
                return ids
            }
            try await first.commitAndWait()
            try await first.shutdown()
            #expect(ids == [1, 2, 3])

            let second = try await StoreHarness(directory: directory)
            let next = try await second.run { store in store.allocateID() }
            #expect(next == 4)
            try await second.shutdown()
        }
    }

    @Test func deliveredAndRemovedRecordsReachTheLog() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            try await harness.run { store in
                for body in ["m1", "m2", "m3"] { store.stored(publish(store.allocateID(), body, queues: ["a", "b"])) }
                store.delivered(id: 1, queue: "a")
                store.removed(id: 1, queue: "a")
                store.delivered(id: 2, queue: "b")
                store.removed(id: 3, queue: "a")
                store.removed(id: 3, queue: "b")
            }
            try await harness.commitAndWait()
            let recovered = try recover(directory)
            #expect(recovered.entries("a").map(\.body) == ["m2"])
            #expect(recovered.entries("a").map(\.redelivered) == [false])
            #expect(recovered.entries("b").map(\.body) == ["m1", "m2"])
            #expect(recovered.entries("b").map(\.redelivered) == [false, true])
            // A removal for an id the store does not hold (twice, or never stored) writes nothing.
            let sizeBefore = try segmentBytes(1, in: directory).count
            try await harness.run { store in
                store.removed(id: 3, queue: "a")
                store.removed(id: 77, queue: "a")
            }
            try await harness.commitAndWait()
            #expect(try segmentBytes(1, in: directory).count == sizeBefore)
            try await harness.shutdown()
        }
    }

    /// Writing past the segment limit starts a new segment; a segment whose messages were all
    /// removed is deleted once the log has moved on from it.
    @Test func fullyRemovedSegmentIsDeletedAtRuntime() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            let megabyte = 1 << 20
            let count = MessageStore.segmentLimit / megabyte + 1
            let ids = try await harness.run { store in
                (0..<count).map { _ in
                    let id = store.allocateID()
                    store.stored(bigPublish(id, size: megabyte, queues: ["big"]))
                    return id
                }
            }
            try await harness.commitAndWait()
            #expect(try segmentNumbers(in: directory) == [1, 2])
            // The last message went to segment 2; removing the first segment's messages frees it.
            try await harness.run { store in
                for id in ids.dropLast() { store.removed(id: id, queue: "big") }
            }
            try await harness.commitAndWait()
            #expect(try segmentNumbers(in: directory) == [2])
            #expect(try recover(directory).ids("big") == [ids.last!])
            // Removing the last message of the current segment does not delete the segment being written.
            try await harness.run { store in store.removed(id: ids.last!, queue: "big") }
            try await harness.commitAndWait()
            #expect(try segmentNumbers(in: directory) == [2])
            #expect(try recover(directory).ids("big") == [])
            #expect(harness.failures.all.isEmpty)
            try await harness.shutdown()
        }
    }

    /// Segment 1 keeps a live message ("keep"). Segment 2 holds the removal of "acked" (stored in
    /// segment 1) and a batch of messages that are later removed too. Deleting segment 2 at
    /// runtime because its own messages are gone loses the removal of "acked", and "acked" comes
    /// back at the next start.
    @Test func removalRecordsForAnOlderLiveSegmentSurviveRuntimeDeletion() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            let megabyte = 1 << 20
            let fill = MessageStore.segmentLimit / megabyte
            try await harness.run { store in
                store.stored(publish(store.allocateID(), "keep", queues: ["keep"]))       // id 1, segment 1
                store.stored(publish(store.allocateID(), "acked", queues: ["q"]))         // id 2, segment 1
                for _ in 0..<fill { store.stored(bigPublish(store.allocateID(), size: megabyte, queues: ["fill"])) }
            }
            try await harness.commitAndWait()
            #expect(try segmentNumbers(in: directory) == [1])
            let second = try await harness.run { store in
                store.removed(id: 2, queue: "q")                                          // segment 2
                return (0..<fill + 1).map { _ in
                    let id = store.allocateID()
                    store.stored(bigPublish(id, size: megabyte, queues: ["fill2"]))      // segment 2, then 3
                    return id
                }
            }
            try await harness.commitAndWait()
            #expect(try segmentNumbers(in: directory) == [1, 2, 3])
            try await harness.run { store in
                for id in second { store.removed(id: id, queue: "fill2") }
            }
            try await harness.commitAndWait()
            try await harness.shutdown()
            let recovered = try recover(directory)
            #expect(recovered.bodies("keep") == ["keep"])
            #expect(recovered.bodies("q") == [], "an acknowledged message came back after a restart")
            #expect(recovered.ids("fill2") == [])
        }
    }

    /// The first message written after the log rolls to a new segment must be counted against
    /// the segment its record is in. Here "x" is the first record of segment 2; the rest of
    /// segment 2 is later removed and the log has moved on to segment 3. If "x" was counted
    /// against segment 1, segment 2 looks unreferenced, is deleted, and "x" (still queued, its
    /// publish confirmed) is gone after a restart.
    @Test func firstMessageOfANewSegmentKeepsThatSegment() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            let megabyte = 1 << 20
            let fill = MessageStore.segmentLimit / megabyte
            let (x, second) = try await harness.run { store in
                for _ in 0..<fill { store.stored(bigPublish(store.allocateID(), size: megabyte, queues: ["fill"])) }
                let x = store.allocateID()
                store.stored(bigPublish(x, size: megabyte, queues: ["x"]))                 // first record of segment 2
                let second = (0..<fill).map { _ in
                    let id = store.allocateID()
                    store.stored(bigPublish(id, size: megabyte, queues: ["fill2"]))        // segment 2, the last one 3
                    return id
                }
                return (x, second)
            }
            try await harness.commitAndWait()
            #expect(try segmentNumbers(in: directory) == [1, 2, 3])
            #expect(try recover(directory).ids("x") == [x])
            try await harness.run { store in
                for id in second { store.removed(id: id, queue: "fill2") }
            }
            try await harness.commitAndWait()
            try await harness.shutdown()
            #expect(try segmentNumbers(in: directory).contains(2), "the segment holding x was deleted")
            #expect(try recover(directory).ids("x") == [x], "a queued, confirmed message is gone after a restart")
        }
    }
}
