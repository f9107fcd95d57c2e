import Foundation
import Logging
import NIOCore
import Testing

@testable import Store

/// Recovery.run over hand-written segment files.
@Suite struct RecoveryTests {
    @Test func emptyDirectoryRecoversNothing() throws {
        try withTemporaryDirectory { root in
            let recovered = try recover(messagesDirectory(root))
            #expect(recovered.queues.isEmpty)
            #expect(recovered.corruptRecords == 0)
            #expect(recovered.nextID == 1)
            #expect(recovered.nextSegment == 1)
            #expect(recovered.emptySegments.isEmpty)
        }
    }

    @Test func messagesComeBackInPublishOrderAcrossSegments() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1"), publish(2, "m2")], in: directory)
            try writeSegment(2, [publish(3, "m3"), publish(4, "m4", queues: ["other"])], in: directory)
            try writeSegment(5, [publish(5, "m5"), publish(6, "m6")], in: directory)  // numbering may have gaps
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1", "m2", "m3", "m5", "m6"])
            #expect(recovered.bodies("other") == ["m4"])
            #expect(recovered.entries("q").allSatisfy { !$0.redelivered })
            #expect(recovered.nextID == 7)
            #expect(recovered.nextSegment == 6)
            #expect(recovered.corruptRecords == 0)
        }
    }

    @Test func recoveredMessageKeepsItsFields() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let properties = ByteBuffer(bytes: [0x90, 0x00, 0x0A, 0x74, 0x65, 0x78, 0x74, 0x2F, 0x70, 0x6C, 0x61, 0x69, 0x6E, 0x02])
            try writeSegment(1, [.publish(id: 11, vhost: "logs", queues: ["audit"], exchange: "amq.topic",
                                          routingKey: "a.b.c", properties: properties, body: ByteBuffer(string: "payload"))],
                             in: directory)
            let recovered = try recover(directory)
            let entries = try #require(recovered.queues["logs"]?["audit"])
            #expect(entries.count == 1)
            let message = entries[0].message
            #expect(message.id == 11)
            #expect(message.exchange == "amq.topic")
            #expect(message.routingKey == "a.b.c")
            #expect(message.properties == properties)
            #expect(String(buffer: message.body) == "payload")
            #expect(recovered.queues["/"] == nil)
        }
    }

    @Test func sameQueueNameInTwoVhostsIsKeptApart() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "root", vhost: "/"), publish(2, "logs", vhost: "logs"),
                                 .removed(id: 2, queue: "q")], in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q", vhost: "/") == ["root"])
            #expect(recovered.bodies("q", vhost: "logs") == [])
        }
    }

    @Test func removedMessagesDoNotComeBack() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1"), publish(2, "m2"), publish(3, "m3"), .removed(id: 1, queue: "q")],
                             in: directory)
            try writeSegment(2, [.removed(id: 3, queue: "q"), publish(4, "m4")], in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m2", "m4"])
            #expect(recovered.nextID == 5)
        }
    }

    @Test func aMessageInTwoQueuesStaysInTheOneThatStillHoldsIt() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "both", queues: ["a", "b"]), publish(2, "gone", queues: ["a", "b"]),
                                 .removed(id: 1, queue: "a"), .removed(id: 2, queue: "a"), .removed(id: 2, queue: "b")],
                             in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("a") == [])
            #expect(recovered.bodies("b") == ["both"])
            #expect(recovered.references.map(\.id) == [1])
            #expect(recovered.references.first?.references == 1)
        }
    }

    @Test func removalOfAnUnknownMessageIsIgnored() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [.removed(id: 99, queue: "q"), .delivered(id: 98, queue: "q"), publish(1, "m1")],
                             in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1"])
            #expect(recovered.corruptRecords == 0)
        }
    }

    @Test func deliveredButNotRemovedComesBackRedelivered() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1", queues: ["a", "b"]), publish(2, "m2", queues: ["a", "b"]),
                                 publish(3, "m3", queues: ["a", "b"]),
                                 .delivered(id: 1, queue: "a"), .delivered(id: 2, queue: "a"), .removed(id: 1, queue: "a")],
                             in: directory)
            try writeSegment(2, [.delivered(id: 3, queue: "b")], in: directory)
            let recovered = try recover(directory)
            let a = recovered.entries("a")
            #expect(a.map(\.body) == ["m2", "m3"])
            #expect(a.map(\.redelivered) == [true, false])
            let b = recovered.entries("b")
            #expect(b.map(\.body) == ["m1", "m2", "m3"])
            #expect(b.map(\.redelivered) == [false, false, true])
        }
    }

    /// A crash in the middle of a write leaves part of a record at the end of the last segment.
    @Test(arguments: [1, 3, 7, 8, 9, 20])
    func tornTailIsDroppedAndTheFileTruncated(bytesOfLastRecord: Int) throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records = [publish(2, "m1"), publish(3, "m2"), .delivered(id: 2, queue: "q"), publish(4, "m3-is-torn")]
            let bytes = framed(records)
            let tornAt = recordOffsets(records)[3]
            #expect(bytesOfLastRecord < bytes.count - tornAt)
            try writeSegment(1, [publish(1, "older")], in: directory)
            try writeSegment(2, bytes: Array(bytes[..<(tornAt + bytesOfLastRecord)]), in: directory)
            let log = LogSink()
            let recovered = try recover(directory, logger: log.logger)
            #expect(recovered.bodies("q") == ["older", "m1", "m2"])
            #expect(recovered.entries("q").map(\.redelivered) == [false, true, false])
            #expect(recovered.corruptRecords == 0)
            #expect(try segmentBytes(2, in: directory) == Array(bytes[..<tornAt]))
            #expect(try segmentBytes(1, in: directory) == framed([publish(1, "older")]))
            let path = directory + "/" + SegmentFiles.name(2)
            let lines = log.warnings(containing: path)
            #expect(lines.count == 1)
            #expect(lines.first?.contains("offset \(tornAt)") == true, "log line: \(lines)")
            // The next write goes to a new segment, after the truncated one; the torn id is not reused
            // (nothing refers to it), numbering goes on after the last whole publish.
            #expect(recovered.nextSegment == 3)
            #expect(recovered.nextID == 4)
            // Recovering again finds a clean file and logs nothing.
            let again = LogSink()
            #expect(try recover(directory, logger: again.logger).bodies("q") == ["older", "m1", "m2"])
            #expect(again.warnings(containing: "").isEmpty)
        }
    }

    /// A damaged record (a flipped bit) between good ones is skipped and counted; what follows it,
    /// in the same segment and in later ones, is kept, and the file is left as it is.
    @Test(arguments: [0, 1, 8, 9, 15])
    func corruptMiddleRecordIsSkippedAndCounted(byteIntoPayload: Int) throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records = [publish(1, "m1"), publish(2, "m2-damaged"), publish(3, "m3"), .removed(id: 1, queue: "q")]
            var bytes = framed(records)
            let damagedAt = recordOffsets(records)[1] + StoreRecord.headerSize + byteIntoPayload
            bytes[damagedAt] ^= 0x20
            try writeSegment(1, bytes: bytes, in: directory)
            try writeSegment(2, [publish(4, "m4")], in: directory)
            let log = LogSink()
            let recovered = try recover(directory, logger: log.logger)
            #expect(recovered.bodies("q") == ["m3", "m4"])
            #expect(recovered.corruptRecords == 1)
            #expect(try segmentBytes(1, in: directory) == bytes)
            let path = directory + "/" + SegmentFiles.name(1)
            let lines = log.warnings(containing: path)
            #expect(lines.count == 1)
            #expect(lines.first?.contains("offset \(recordOffsets(records)[1])") == true, "log line: \(lines)")
        }
    }

    /// A flipped bit in a record's length field, in the middle of a segment. Made larger, the
    /// length runs past the end of the file, which looks like a torn tail; made smaller, the
    /// checksum fails and skipping by that length lands inside the record. Either way it is one
    /// damaged record: the records after it (here confirmed messages) must be kept, on disk too.
    @Test(arguments: [(byte: 0, mask: UInt8(0x40)), (byte: 1, mask: 0x01), (byte: 3, mask: 0x01), (byte: 3, mask: 0x04)])
    func damagedLengthFieldLosesOnlyThatRecord(byte: Int, mask: UInt8) throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records = [publish(1, "m1"), publish(2, "m2-damaged-length"), publish(3, "m3"), publish(4, "m4")]
            var bytes = framed(records)
            bytes[recordOffsets(records)[1] + byte] ^= mask
            try writeSegment(1, bytes: bytes, in: directory)
            try writeSegment(2, [publish(5, "m5")], in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1", "m3", "m4", "m5"])
            #expect(recovered.corruptRecords == 1)
            #expect(try segmentBytes(1, in: directory) == bytes, "recovery cut good records off the segment")
        }
    }

    /// A damaged record whose body happens to hold bytes shaped like records (a message that
    /// carries a copy of a store segment, say). Only its payload is damaged, so its length still
    /// leads to the next record: what its body holds must not come back as records.
    @Test func damagedRecordsBodyIsNotReadAsRecords() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let carried = framed([publish(99, "phantom"), .removed(id: 1, queue: "q")])
            let records: [StoreRecord] = [
                publish(1, "m1"),
                .publish(id: 2, vhost: "/", queues: ["q"], exchange: "", routingKey: "q",
                         properties: ByteBuffer(), body: ByteBuffer(bytes: carried)),
                publish(3, "m3"),
            ]
            var bytes = framed(records)
            bytes[recordOffsets(records)[1] + StoreRecord.headerSize + 1] ^= 0x01  // in the id, before the body
            try writeSegment(1, bytes: bytes, in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1", "m3"])
            #expect(recovered.corruptRecords == 1)
        }
    }

    /// The last record of a segment is damaged (not torn: all its bytes are there). It is counted
    /// as corrupt like any other, and the file is left as it is.
    @Test func damagedLastRecordIsCountedAndKept() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records = [publish(1, "m1"), publish(2, "m2-damaged")]
            var bytes = framed(records)
            bytes[bytes.count - 1] ^= 0x01
            try writeSegment(1, bytes: bytes, in: directory)
            try writeSegment(2, [publish(3, "m3")], in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1", "m3"])
            #expect(recovered.corruptRecords == 1)
            #expect(try segmentBytes(1, in: directory) == bytes)
        }
    }

    @Test func corruptRecordsAreCountedAcrossSegments() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            for segment in UInt32(1)...3 {
                let id = UInt64(segment) * 10
                let records = [publish(id, "bad"), publish(id + 1, "good\(segment)")]
                var bytes = framed(records)
                bytes[bytes.count / 4] ^= 0xFF
                #expect(bytes.count / 4 > StoreRecord.headerSize && bytes.count / 4 < recordOffsets(records)[1])
                try writeSegment(segment, bytes: bytes, in: directory)
            }
            let recovered = try recover(directory)
            #expect(recovered.corruptRecords == 3)
            #expect(recovered.bodies("q") == ["good1", "good2", "good3"])
        }
    }

    @Test func segmentsWithoutLiveMessagesAreListedAsEmpty() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1"), .removed(id: 1, queue: "q")], in: directory)
            try writeSegment(2, [publish(2, "m2"), .removed(id: 2, queue: "q")], in: directory)
            try writeSegment(3, [publish(3, "m3")], in: directory)
            let recovered = try recover(directory)
            #expect(recovered.emptySegments == [1, 2])
            #expect(recovered.bodies("q") == ["m3"])
        }
    }

    /// Files that are not `NNNNNNNN.seg` in the messages directory are not read.
    @Test func otherFilesAreIgnored() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1")], in: directory)
            try Data("not a segment".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
            try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/abc.seg"))
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1"])
            #expect(recovered.corruptRecords == 0)
            #expect(try segmentNumbers(in: directory) == [1])
        }
    }
}

/// Store.open: the lock, recovery, and deleting segments nothing refers to.
@Suite struct StoreOpenTests {
    @Test func openCreatesTheLayoutAndRecovers() async throws {
        try await withTemporaryDirectory { root in
            let dataDirectory = root + "/nested/data"
            try writeSegment(1, [publish(1, "m1"), publish(2, "m2"), .delivered(id: 2, queue: "q")],
                             in: messagesDirectory(dataDirectory))
            let (store, recovered) = try await Store.open(directory: dataDirectory, logger: Logger(label: "storetests"))
            #expect(store.directory == dataDirectory)
            #expect(FileManager.default.fileExists(atPath: dataDirectory + "/warren.lock"))
            #expect(recovered.entries("q").map(\.body) == ["m1", "m2"])
            #expect(recovered.entries("q").map(\.redelivered) == [false, true])
        }
    }

    /// A segment holding only messages that were all removed is deleted at open.
    @Test func fullyRemovedSegmentsAreDeletedAtOpen() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1"), publish(2, "m2")], in: directory)
            try writeSegment(2, [.removed(id: 1, queue: "q"), .removed(id: 2, queue: "q")], in: directory)
            try writeSegment(3, [publish(3, "m3")], in: directory)
            do {
                let (_, recovered) = try await Store.open(directory: root, logger: Logger(label: "storetests"))
                #expect(recovered.bodies("q") == ["m3"])
            }
            #expect(try segmentNumbers(in: directory) == [3])
            // And the next open recovers the same.
            let (_, again) = try await Store.open(directory: root, logger: Logger(label: "storetests"))
            #expect(again.bodies("q") == ["m3"])
        }
    }

    @Test func everySegmentIsDeletedWhenNothingIsLive() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1")], in: directory)
            try writeSegment(2, [.removed(id: 1, queue: "q")], in: directory)
            _ = try await Store.open(directory: root, logger: Logger(label: "storetests"))
            #expect(try segmentNumbers(in: directory) == [])
        }
    }

    /// Segment 2 holds no live message, but it holds the removal of m2, which lives in segment 1
    /// (still needed for m1). Deleting segment 2 at open would bring m2 back at the next open.
    @Test func removalRecordsForAnOlderLiveSegmentAreNotDeleted() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [publish(1, "m1-kept"), publish(2, "m2-acked")], in: directory)
            try writeSegment(2, [.removed(id: 2, queue: "q")], in: directory)
            do {
                let (_, first) = try await Store.open(directory: root, logger: Logger(label: "storetests"))
                #expect(first.bodies("q") == ["m1-kept"])
            }
            let (_, second) = try await Store.open(directory: root, logger: Logger(label: "storetests"))
            #expect(second.bodies("q") == ["m1-kept"], "an acknowledged message came back after the second restart")
        }
    }
}
