import Foundation
import NIOCore
import Testing

@testable import Store

/// Kind 4: the records of one committed transaction under one checksum, recovered all or none.
@Suite struct GroupRecordTests {
    @Test func goldenGroup() {
        let bytes = framed([.group([.delivered(id: 5, queue: "q"), .removed(id: 6, queue: "q")])])
        #expect(bytes == hex("00000027d882fb3b0400000000000000020000000b02000000000000000501710000000b0300000000000000060171"))
    }

    @Test func groupRoundTrips() {
        let record = StoreRecord.group([publish(1, "a", queues: ["x", "y"]), .delivered(id: 1, queue: "x"),
                                        .removed(id: 9, queue: "z"), publish(2, "")])
        var buffer = ByteBuffer()
        record.write(to: &buffer)
        guard case .record(let read) = StoreRecord.read(from: &buffer) else {
            Issue.record("group did not read back")
            return
        }
        #expect(read == record)
        #expect(buffer.readableBytes == 0)
    }

    /// A group inside a group is refused even with a valid checksum.
    @Test func nestedGroupIsCorrupt() {
        var buffer = ByteBuffer()
        StoreRecord.group([.group([.removed(id: 1, queue: "q")])]).write(to: &buffer)
        guard case .corrupt = StoreRecord.read(from: &buffer) else {
            Issue.record("a nested group was accepted")
            return
        }
    }

    @Test func groupedRecordsAreRecoveredLikeSingleOnes() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1"), publish(2, "m2"), .delivered(id: 1, queue: "q"),
                                 .group([publish(3, "m3"), publish(4, "m4"), .removed(id: 2, queue: "q")]),
                                 .group([.delivered(id: 3, queue: "q")])], in: directory)
            let recovered = try recover(directory)
            #expect(recovered.entries("q").map(\.body) == ["m1", "m3", "m4"])
            #expect(recovered.entries("q").map(\.redelivered) == [true, true, false])
            #expect(recovered.nextID == 5)
        }
    }

    /// A damaged group loses all of its records (and, ending its segment, what follows it).
    @Test func corruptGroupIsLostWhole() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records: [StoreRecord] = [publish(1, "m1"),
                                          .group([publish(2, "m2"), publish(3, "m3"), .removed(id: 1, queue: "q")]),
                                          publish(4, "m4")]
            var bytes = framed(records)
            let groupEnd = recordOffsets(records)[2]
            bytes[groupEnd - 1] ^= 0x01  // the last byte of the group's last record
            try writeSegment(1, bytes: bytes, in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1"])
            #expect(recovered.discardedBytes == bytes.count - recordOffsets(records)[1])
        }
    }

    /// A torn group at the end of the log is dropped whole: none of the transaction survives.
    @Test func tornGroupIsDroppedWhole() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records: [StoreRecord] = [publish(1, "m1"), .group([publish(2, "m2"), .removed(id: 1, queue: "q")])]
            let bytes = framed(records)
            let groupStart = recordOffsets(records)[1]
            try writeSegment(1, bytes: Array(bytes.dropLast(3)), in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1"])
            #expect(try segmentBytes(1, in: directory) == Array(bytes[..<groupStart]))
        }
    }

    /// MessageStore: records between beginGroup and endGroup reach the log as one group record.
    @Test func messageStoreWritesAGroupAsOneRecord() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            try await harness.run { store in
                store.stored(publish(store.allocateID(), "before"))
                store.delivered(id: 1, queue: "q")
                store.beginGroup()
                store.stored(publish(store.allocateID(), "in-group-1"))
                store.removed(id: 1, queue: "q")
                store.stored(publish(store.allocateID(), "in-group-2"))
                store.endGroup()
                store.beginGroup()
                store.removed(id: 3, queue: "q")  // a group of one is written as a plain record
                store.endGroup()
                store.beginGroup()
                store.endGroup()  // an empty group writes nothing
            }
            try await harness.commitAndWait()
            var buffer = ByteBuffer(bytes: try segmentBytes(1, in: directory))
            var read: [StoreRecord] = []
            while case .record(let record) = StoreRecord.read(from: &buffer) { read.append(record) }
            #expect(read == [publish(1, "before"), .delivered(id: 1, queue: "q"),
                             .group([publish(2, "in-group-1"), .removed(id: 1, queue: "q"), publish(3, "in-group-2")]),
                             .removed(id: 3, queue: "q")])
            #expect(try recover(directory).bodies("q") == ["in-group-1"])
            try await harness.shutdown()
        }
    }
}
