import Foundation
import Logging
import NIOCore
import Testing

@testable import Store

/// Recovery's two passes over segment files: the first keeps only liveness, the second reads the
/// live messages again and hands them over in order, each with its own copy of its bytes.
@Suite struct TwoPassRecoveryTests {
    /// Publishes, deliveries and removals spread over segments and groups, for one queue and for
    /// messages shared by several.
    @Test func livenessAcrossSegmentsWithDeliveriesRemovalsAndGroups() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1", queues: ["a", "b", "c"]), publish(2, "m2", queues: ["a"]),
                                 publish(3, "m3", queues: ["a", "b"]), .delivered(id: 1, queue: "b")], in: directory)
            try writeSegment(2, [.group([.removed(id: 1, queue: "a"), .delivered(id: 2, queue: "a"), publish(4, "m4", queues: ["b", "a"])]),
                                 .delivered(id: 3, queue: "b"), .removed(id: 3, queue: "a")], in: directory)
            try writeSegment(3, [.removed(id: 1, queue: "c"), .delivered(id: 4, queue: "a"), publish(5, "m5", queues: ["c"]),
                                 .removed(id: 2, queue: "b")], in: directory)  // not b's: ignored
            let recovered = try recover(directory)
            #expect(recovered.entries("a").map(\.body) == ["m2", "m4"])
            #expect(recovered.entries("a").map(\.redelivered) == [true, true])
            #expect(recovered.entries("b").map(\.body) == ["m1", "m3", "m4"])
            #expect(recovered.entries("b").map(\.redelivered) == [true, true, false])
            #expect(recovered.entries("c").map(\.body) == ["m5"])
            #expect(recovered.index[1]?.references == 1 && recovered.index[3]?.references == 1)
            #expect(recovered.index[4]?.references == 2 && recovered.index[4]?.segment == 2)
            #expect(recovered.segmentReferences == [1: 3, 2: 2, 3: 1])
            #expect(recovered.keptSegments == [1, 2, 3] && recovered.emptySegments.isEmpty)
            #expect(recovered.nextID == 6)
        }
    }

    /// A message in several queues is copied once, and each queue gets that copy.
    @Test func aSharedMessageIsHandedToEachQueueOnce() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "shared", queues: ["x", "y", "z"]), .removed(id: 1, queue: "y")], in: directory)
            var handed: [(id: UInt64, queue: String, body: String)] = []
            try Recovery.run(files: SegmentFiles(directory: directory), logger: Logger(label: "storetests")).replay { message, _, queue, _ in
                handed.append((message.id, queue, String(buffer: message.body)))
            }
            #expect(handed.map(\.queue) == ["x", "z"])
            #expect(handed.allSatisfy { $0.id == 1 && $0.body == "shared" })
        }
    }

    /// Per queue, the order of the log, across segments and with other queues' messages between.
    @Test func eachQueueKeepsItsOrder() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            var id: UInt64 = 0
            for segment in UInt32(1)...4 {
                var records: [StoreRecord] = []
                for _ in 0..<50 {
                    id += 1
                    records.append(publish(id, "m\(id)", queues: id % 3 == 0 ? ["odd", "even"] : [id % 2 == 0 ? "even" : "odd"]))
                    if id % 7 == 0 { records.append(.removed(id: id - 1, queue: (id - 1) % 2 == 0 ? "even" : "odd")) }
                }
                try writeSegment(segment, records, in: directory)
            }
            let recovered = try recover(directory)
            for queue in ["odd", "even"] {
                let ids = recovered.ids(queue)
                #expect(ids == ids.sorted() && !ids.isEmpty)
                #expect(recovered.bodies(queue) == ids.map { "m\($0)" })
            }
            #expect(recovered.ids("odd").contains(6) && !recovered.ids("even").contains(6) && !recovered.ids("even").contains(20))
        }
    }

    /// A torn last record is cut off by the first pass; the second reads the shorter file and hands
    /// over what came before it, redelivered flags included.
    @Test func aTornTailIsCutBeforeTheSecondPass() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records = [publish(1, "m1", queues: ["a", "b"]), .delivered(id: 1, queue: "b"), publish(2, "m2-torn", queues: ["a"])]
            let bytes = framed(records)
            let tornAt = recordOffsets(records)[2]
            try writeSegment(1, bytes: Array(bytes[..<(bytes.count - 3)]), in: directory)
            let recovered = try recover(directory)
            #expect(recovered.entries("a").map(\.body) == ["m1"] && recovered.entries("a").map(\.redelivered) == [false])
            #expect(recovered.entries("b").map(\.redelivered) == [true])
            #expect(recovered.discardedBytes == bytes.count - 3 - tornAt)
            #expect(recovered.nextID == 2)
        }
    }

    /// An id published twice (a damaged log) comes back once, as its later record says.
    @Test func aRepublishedIdComesBackOnceAsItsLastRecord() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "first"), .delivered(id: 1, queue: "q"), publish(1, "second")], in: directory)
            try writeSegment(2, [publish(2, "m2")], in: directory)
            let recovered = try recover(directory)
            #expect(recovered.entries("q").map(\.body) == ["second", "m2"])
            #expect(recovered.entries("q").map(\.redelivered) == [false, false])
        }
    }

    /// A handed-over message owns its bytes: its properties and body are one buffer of their own,
    /// not slices of the segment's buffer, which would keep the whole segment in memory for as long
    /// as the message stays there.
    @Test func handedOverBytesAreCopiesOfTheirOwn() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let body = String(repeating: "x", count: 1_000)
            try writeSegment(1, [publish(1, body), publish(2, "m2")], in: directory)
            var handed = 0
            try Recovery.run(files: SegmentFiles(directory: directory), logger: Logger(label: "storetests")).replay { message, _, _, _ in
                handed += 1
                var whole = message.body
                whole.moveReaderIndex(to: 0)  // where a buffer of its own begins: the properties
                #expect(whole.readableBytes == message.properties.readableBytes + message.body.readableBytes)
                #expect(whole.getSlice(at: 0, length: 3) == message.properties)
                #expect(message.properties == ByteBuffer(bytes: [0x10, 0x00, 0x02]))
            }
            #expect(handed == 2)
            #expect(try recover(directory).bodies("q") == [body, "m2"])
        }
    }

    /// A segment that changed between the passes (here: cut shorter) is an error, not a silent loss.
    @Test func aSegmentChangedBetweenThePassesIsAnError() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records = [publish(1, "m1"), publish(2, "m2")]
            try writeSegment(1, records, in: directory)
            let scan = try Recovery.run(files: SegmentFiles(directory: directory), logger: Logger(label: "storetests"))
            try writeSegment(1, bytes: Array(framed(records).dropLast(2)), in: directory)
            #expect(throws: StoreError.self) { try scan.replay { _, _, _, _ in } }
        }
    }
}
