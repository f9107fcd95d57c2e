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
            #expect(recovered.discardedBytes == 0)
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
            #expect(recovered.discardedBytes == 0)
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
            #expect(recovered.index[1]?.references == 1)
            #expect(recovered.index[2] == nil)
            #expect(recovered.segmentReferences == [1: 1])
        }
    }

    @Test func removalOfAnUnknownMessageIsIgnored() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            try writeSegment(1, [.removed(id: 99, queue: "q"), .delivered(id: 98, queue: "q"), publish(1, "m1")],
                             in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1"])
            #expect(recovered.discardedBytes == 0)
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
            #expect(recovered.discardedBytes == bytesOfLastRecord)
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

    /// A damaged record (a flipped bit) between good ones ends what is readable in its segment:
    /// the rest of the segment is cut off (and counted), later segments are read as usual.
    @Test(arguments: [0, 1, 8, 9, 15])
    func corruptMiddleRecordEndsItsSegment(byteIntoPayload: Int) throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records = [publish(1, "m1"), publish(2, "m2-damaged"), publish(3, "m3"), .removed(id: 1, queue: "q")]
            var bytes = framed(records)
            let badAt = recordOffsets(records)[1]
            bytes[badAt + StoreRecord.headerSize + byteIntoPayload] ^= 0x20
            try writeSegment(1, bytes: bytes, in: directory)
            try writeSegment(2, [publish(4, "m4")], in: directory)
            let log = LogSink()
            let recovered = try recover(directory, logger: log.logger)
            #expect(recovered.bodies("q") == ["m1", "m4"])
            #expect(recovered.discardedBytes == bytes.count - badAt)
            #expect(try segmentBytes(1, in: directory) == Array(bytes[..<badAt]))
            let lines = log.warnings(containing: directory + "/" + SegmentFiles.name(1))
            #expect(lines.count == 1)
            #expect(lines.first?.contains("offset \(badAt)") == true, "log line: \(lines)")
            #expect(lines.first?.contains("\(bytes.count - badAt) byte(s) discarded") == true, "log line: \(lines)")
        }
    }

    /// A flipped bit in a record's length field, in the middle of a segment: larger, it runs past
    /// the end (torn); smaller, the checksum fails. Either way the segment ends there.
    @Test(arguments: [(byte: 0, mask: UInt8(0x40)), (byte: 1, mask: 0x01), (byte: 3, mask: 0x01), (byte: 3, mask: 0x04)])
    func damagedLengthFieldEndsItsSegment(byte: Int, mask: UInt8) throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records = [publish(1, "m1"), publish(2, "m2-damaged-length"), publish(3, "m3"), publish(4, "m4")]
            var bytes = framed(records)
            let badAt = recordOffsets(records)[1]
            bytes[badAt + byte] ^= mask
            try writeSegment(1, bytes: bytes, in: directory)
            try writeSegment(2, [publish(5, "m5")], in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1", "m5"])
            #expect(try segmentBytes(1, in: directory) == Array(bytes[..<badAt]))
        }
    }

    /// A publisher cannot forge records: a message body holding bytes shaped like records (a
    /// "phantom" publish and a removal of m1) is never parsed as records, whether the record
    /// carrying it is whole, damaged before the body, or torn inside the body.
    @Test(arguments: ["whole", "damaged", "torn"])
    func recordsInsideABodyAreNeverRead(_ state: String) throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let forged = framed([publish(99, "phantom"), .removed(id: 1, queue: "q")])
            let records: [StoreRecord] = [
                publish(1, "m1"),
                .publish(id: 2, vhost: "/", queues: ["q"], exchange: "", routingKey: "q",
                         properties: ByteBuffer(), body: ByteBuffer(bytes: [0xAA] + forged + [0xBB])),
            ]
            var bytes = framed(records)
            let carrierAt = recordOffsets(records)[1]
            switch state {
            case "damaged": bytes[carrierAt + StoreRecord.headerSize + 1] ^= 0x01  // in the id, before the body
            case "torn": bytes.removeLast(1 + forged.count / 2)  // cut inside the forged bytes
            default: break
            }
            try writeSegment(1, bytes: bytes, in: directory)
            let recovered = try recover(directory)
            #expect(!recovered.bodies("q").contains("phantom"))
            #expect(recovered.bodies("q").first == "m1")
            #expect(recovered.bodies("q").count == (state == "whole" ? 2 : 1))
        }
    }

    /// The last record of a segment is damaged (not torn: all its bytes are there): cut off.
    @Test func damagedLastRecordIsCutOff() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let records = [publish(1, "m1"), publish(2, "m2-damaged")]
            var bytes = framed(records)
            bytes[bytes.count - 1] ^= 0x01
            try writeSegment(1, bytes: bytes, in: directory)
            try writeSegment(2, [publish(3, "m3")], in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1", "m3"])
            #expect(recovered.discardedBytes == bytes.count - recordOffsets(records)[1])
            #expect(try segmentBytes(1, in: directory) == Array(bytes[..<recordOffsets(records)[1]]))
        }
    }

    @Test func discardedBytesAreCountedAcrossSegments() throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            var discarded = 0
            for segment in UInt32(1)...3 {
                let id = UInt64(segment) * 10
                let records = [publish(id, "good\(segment)"), publish(id + 1, "bad")]
                var bytes = framed(records)
                bytes[bytes.count - 2] ^= 0xFF
                discarded += bytes.count - recordOffsets(records)[1]
                try writeSegment(segment, bytes: bytes, in: directory)
            }
            let recovered = try recover(directory)
            #expect(recovered.discardedBytes == discarded)
            #expect(recovered.bodies("q") == ["good1", "good2", "good3"])
        }
    }

    /// Forged or absurd fields in records whose checksum is right: no trap, no huge allocation.
    @Test(arguments: ["maximum id", "huge queue count"])
    func absurdFieldsEndTheSegment(_ forgery: String) throws {
        try withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            // kind 5 | id | publish time 0 | vhost "/" | queue count | ...
            var payload: [UInt8] = [StoreRecord.Kind.publish.rawValue]
            if forgery == "maximum id" {  // 2^63: no room to allocate after it
                payload += hex("8000000000000000") + hex("0000000000000000") + [1, 0x2F]
                payload += hex("00000000") + [0, 0] + hex("00000000") + hex("00000000")
            } else {  // 4 billion queue names announced, none there
                payload += hex("0000000000000002") + hex("0000000000000000") + [1, 0x2F] + hex("ffffffff")
            }
            var record: [UInt8] = []
            record += withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init)
            record += withUnsafeBytes(of: CRC32.checksum(payload).bigEndian, Array.init)
            record += payload
            try writeSegment(1, bytes: framed([publish(1, "m1")]) + record, in: directory)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["m1"])
            #expect(recovered.nextID == 2)
            #expect(recovered.discardedBytes == record.count)
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
            #expect(recovered.discardedBytes == 0)
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
            let (store, recovered) = try await openStore(dataDirectory)
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
                let (_, recovered) = try await openStore(root)
                #expect(recovered.bodies("q") == ["m3"])
            }
            #expect(try segmentNumbers(in: directory) == [3])
            // And the next open recovers the same.
            let (_, again) = try await openStore(root)
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
                let (_, first) = try await openStore(root)
                #expect(first.bodies("q") == ["m1-kept"])
            }
            let (_, second) = try await openStore(root)
            #expect(second.bodies("q") == ["m1-kept"], "an acknowledged message came back after the second restart")
        }
    }
}
