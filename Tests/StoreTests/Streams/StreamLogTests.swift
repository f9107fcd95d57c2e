import Broker
import Foundation
import NIOCore
import Testing

@testable import Store

#if canImport(Glibc)
import Glibc
#endif

/// A stream's log on disk: offsets, reading from every kind of start, segments, retention by size
/// and by age (with the clock given, not slept), and recovery after a crash.
@Suite struct StreamLogTests {
    static func entry(_ text: String, at time: Int64 = 1_000, key: String = "kern.info") -> StreamEntry {
        StreamEntry(timestamp: time, exchange: "topic_logs", routingKey: key, properties: ByteBuffer(bytes: [0x80, 0x00]),
                    body: ByteBuffer(string: text))
    }

    /// What the store's writer thread does: fsync what the log hands over, then mark it durable.
    static func commit(_ log: StreamLog) {
        guard let syncs = log.takeSyncs() else { return }
        for descriptor in syncs.descriptors {
            #expect(fsync(descriptor) == 0)
            close(descriptor)
        }
        log.committed(through: syncs.through)
    }

    static func readAll(_ reader: any StreamReading) -> [StreamEntry] {
        var entries: [StreamEntry] = []
        while let entry = reader.next() { entries.append(entry) }
        return entries
    }

    static func bodies(_ entries: [StreamEntry]) -> [String] {
        entries.map { String(buffer: $0.body) }
    }

    @Test func offsetsAreAssignedInOrderAndEntriesReadBackWhole() throws {
        try withTemporaryDirectory { directory in
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention())
            for number in 0..<5 { #expect(try log.append(Self.entry("m\(number)")) == UInt64(number)) }
            #expect(Self.readAll(log.reader(from: .first)).isEmpty, "nothing is readable before it is fsync'd")
            Self.commit(log)
            let entries = Self.readAll(log.reader(from: .first))
            #expect(entries.map(\.offset) == [0, 1, 2, 3, 4])
            #expect(Self.bodies(entries) == ["m0", "m1", "m2", "m3", "m4"])
            #expect(entries[0].routingKey == "kern.info" && entries[0].exchange == "topic_logs")
            #expect(Array(entries[0].properties.readableBytesView) == [0x80, 0x00])
        }
    }

    @Test func everyStartFindsItsEntry() throws {
        try withTemporaryDirectory { directory in
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention(maxSegmentBytes: 600))
            for number in 0..<100 { _ = try log.append(Self.entry("m\(number)", at: 10_000 + Int64(number) * 10)) }
            Self.commit(log)
            #expect(log.segments.count > 5, "small segments roll")
            #expect(Self.readAll(log.reader(from: .first)).count == 100)
            #expect(Self.bodies(Self.readAll(log.reader(from: .last))) == ["m99"])
            #expect(Self.readAll(log.reader(from: .next)).isEmpty)
            #expect(Self.readAll(log.reader(from: .offset(57))).first?.offset == 57)
            #expect(Self.readAll(log.reader(from: .offset(1_000))).isEmpty)
            #expect(Self.readAll(log.reader(from: .timestamp(10_425))).first?.offset == 43, "first entry at or after the time")
            #expect(Self.readAll(log.reader(from: .timestamp(0))).count == 100)
            #expect(Self.readAll(log.reader(from: .timestamp(99_999))).isEmpty)
        }
    }

    @Test func aReaderFollowsNewEntries() throws {
        try withTemporaryDirectory { directory in
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention(maxSegmentBytes: 300))
            let reader = log.reader(from: .next)
            for round in 0..<20 {
                _ = try log.append(Self.entry("r\(round)"))
                Self.commit(log)
                #expect(Self.bodies(Self.readAll(reader)) == ["r\(round)"])
            }
        }
    }

    @Test func timestampsNeverGoBack() throws {
        try withTemporaryDirectory { directory in
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention())
            _ = try log.append(Self.entry("late", at: 5_000))
            _ = try log.append(Self.entry("clock went back", at: 4_000))
            Self.commit(log)
            #expect(Self.readAll(log.reader(from: .first)).map(\.timestamp) == [5_000, 5_000])
        }
    }

    @Test func sizeRetentionDeletesWholeOldestSegmentsAndReadersJumpAhead() throws {
        try withTemporaryDirectory { directory in
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention(maxSegmentBytes: 500, maxBytes: 2_000))
            _ = try log.append(Self.entry("first"))
            Self.commit(log)
            let behind = log.reader(from: .first)
            #expect(behind.next()?.offset == 0)
            for number in 1..<200 { _ = try log.append(Self.entry("m\(number)")) }
            Self.commit(log)
            let status = log.status
            #expect(status.bytes <= 2_000 + 500, "at most the limit plus the segment being written")
            #expect(status.firstOffset > 100 && status.nextOffset == 200)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/s").filter { $0.hasSuffix(".segment") }
            #expect(files.count == log.segments.count)
            let rest = Self.readAll(behind)
            #expect(rest.first?.offset == status.firstOffset, "a reader left behind continues at the first kept entry")
            #expect(rest.last?.offset == 199)
        }
    }

    @Test func ageRetentionUsesTheClockGiven() throws {
        try withTemporaryDirectory { directory in
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention(maxSegmentBytes: 200, maxAge: 60_000))
            for number in 0..<10 { _ = try log.append(Self.entry("old\(number)", at: 1_000)) }
            for number in 0..<3 { _ = try log.append(Self.entry("new\(number)", at: 30_000)) }
            Self.commit(log)
            log.applyRetention(now: 61_000)
            #expect(log.status.firstOffset == 0, "nothing is more than a minute old yet")
            log.applyRetention(now: 61_001)
            #expect(log.status.firstOffset > 0)
            #expect(log.segments.allSatisfy { ($0.lastTimestamp ?? 0) >= 30_000 }, "every segment left holds a newer entry")
            #expect(Self.readAll(log.reader(from: .first)).last?.offset == 12)
            log.applyRetention(now: .max)
            #expect(log.segments.count == 1, "the segment being written is never deleted")
            log.applyRetention(now: .min)
            #expect(log.status.nextOffset == 13)
        }
    }

    @Test func reopeningKeepsEntriesAndContinuesOffsets() throws {
        try withTemporaryDirectory { directory in
            do {
                let log = try StreamLog(directory: directory + "/s", retention: StreamRetention(maxSegmentBytes: 400))
                for number in 0..<30 { _ = try log.append(Self.entry("m\(number)")) }
                Self.commit(log)
            }
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention(maxSegmentBytes: 400))
            #expect(Self.readAll(log.reader(from: .first)).map(\.offset) == Array(0..<30))
            #expect(try log.append(Self.entry("after")) == 30)
        }
    }

    @Test func aTornTailIsCutAndItsOffsetsAreNotSkipped() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/s"
            do {
                let log = try StreamLog(directory: path, retention: StreamRetention())
                for number in 0..<10 { _ = try log.append(Self.entry("m\(number)")) }
                Self.commit(log)
            }
            let segment = path + "/" + StreamSegment.baseName(0) + ".segment"
            let whole = try Data(contentsOf: URL(fileURLWithPath: segment))
            // Cut in the middle of the last entry, as a crash during its write would.
            try whole.prefix(whole.count - 5).write(to: URL(fileURLWithPath: segment))
            let log = try StreamLog(directory: path, retention: StreamRetention())
            #expect(Self.readAll(log.reader(from: .first)).count == 9)
            #expect(try log.append(Self.entry("next")) == 9)
            Self.commit(log)
            #expect(Self.bodies(Self.readAll(log.reader(from: .offset(8)))) == ["m8", "next"])
        }
    }

    @Test func aDamagedEntryEndsTheLastSegment() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/s"
            var positions: [Int] = []
            do {
                let log = try StreamLog(directory: path, retention: StreamRetention())
                for number in 0..<10 {
                    positions.append(log.segments[0].bytes)
                    _ = try log.append(Self.entry("m\(number)"))
                }
                Self.commit(log)
            }
            let segment = path + "/" + StreamSegment.baseName(0) + ".segment"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
            bytes[positions[6] + 20] ^= 0xFF  // inside entry 6's payload: its checksum fails
            try bytes.write(to: URL(fileURLWithPath: segment))
            let log = try StreamLog(directory: path, retention: StreamRetention())
            #expect(Self.readAll(log.reader(from: .first)).map(\.offset) == Array(0..<6))
            #expect(try Data(contentsOf: URL(fileURLWithPath: segment)).count == positions[6], "the file is cut there")
        }
    }

    @Test func offsetsNeverGoBackWhenOnlyAnEmptySegmentIsLeft() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/s"
            do {
                let log = try StreamLog(directory: path, retention: StreamRetention(maxSegmentBytes: 100, maxBytes: 1))
                for number in 0..<10 { _ = try log.append(Self.entry("m\(number)")) }
                Self.commit(log)
                #expect(log.segments.count == 1, "retention left only the segment being written")
            }
            // A crash just after a roll: the newest segment exists and holds nothing.
            #expect(FileManager.default.createFile(atPath: path + "/" + StreamSegment.baseName(10) + ".segment", contents: nil))
            let log = try StreamLog(directory: path, retention: StreamRetention(maxSegmentBytes: 100, maxBytes: 1))
            #expect(try log.append(Self.entry("after")) == 10)
        }
    }

    @Test func aLostOrDamagedIndexIsRebuilt() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/s"
            do {
                let log = try StreamLog(directory: path, retention: StreamRetention(maxSegmentBytes: 20_000))
                for number in 0..<600 { _ = try log.append(Self.entry("entry number \(number)", at: 1_000 + Int64(number))) }
                Self.commit(log)
                #expect(log.segments.count > 2)
            }
            let segments = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".index") }.sorted()
            try FileManager.default.removeItem(atPath: path + "/" + segments[0])
            try Data(repeating: 0xAB, count: 50).write(to: URL(fileURLWithPath: path + "/" + segments[segments.count - 1]))
            let log = try StreamLog(directory: path, retention: StreamRetention(maxSegmentBytes: 20_000))
            for offset: UInt64 in [0, 17, 250, 599] {
                #expect(Self.readAll(log.reader(from: .offset(offset))).first?.offset == offset)
            }
            #expect(Self.readAll(log.reader(from: .timestamp(1_300))).first?.offset == 300)
            #expect(try log.append(Self.entry("after")) == 600)
        }
    }

    @Test func removingAStreamDeletesItsDirectory() throws {
        try withTemporaryDirectory { directory in
            let streams = StreamDirectory(root: directory + "/streams")
            let log = try streams.open(vhost: "/", queue: "s", retention: StreamRetention())
            _ = try log.append(Self.entry("m"))
            streams.remove(vhost: "/", queue: "s")
            #expect(!FileManager.default.fileExists(atPath: directory + "/streams/%2F~s"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/streams").isEmpty, "nothing set aside is left")
            let again = try streams.open(vhost: "/", queue: "s", retention: StreamRetention())
            #expect(again.status.nextOffset == 0, "a stream declared again starts empty")
        }
    }

    @Test func filesOfADeletedStreamLeftByACrashAreRemovedAtStart() throws {
        try withTemporaryDirectory { directory in
            let leftOver = directory + "/streams/.deleted-crashed"
            try FileManager.default.createDirectory(atPath: leftOver, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: leftOver + "/0.segment", contents: Data("x".utf8)))
            _ = StreamDirectory(root: directory + "/streams")
            #expect(!FileManager.default.fileExists(atPath: leftOver))
        }
    }

    @Test func aFailedFsyncIsRetriedForEverySegmentNotYetDurable() throws {
        try withTemporaryDirectory { directory in
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention(maxSegmentBytes: 200))
            for number in 0..<10 { _ = try log.append(Self.entry("m\(number)")) }
            let failed = try #require(log.takeSyncs())
            for descriptor in failed.descriptors { close(descriptor) }  // the writer's fsync failed
            log.syncFailed()
            #expect(Self.readAll(log.reader(from: .first)).isEmpty, "nothing counts as durable")
            let retry = try #require(log.takeSyncs())
            let segmentsWritten = log.segments.count
            #expect(retry.descriptors.count >= segmentsWritten, "every segment holding those entries is fsync'd again")
            for descriptor in retry.descriptors {
                #expect(fsync(descriptor) == 0)
                close(descriptor)
            }
            log.committed(through: retry.through)
            #expect(Self.readAll(log.reader(from: .first)).count == 10)
        }
    }

    @Test func aZeroSegmentSizeGivesOneEntryPerSegment() throws {
        try withTemporaryDirectory { directory in
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention(maxSegmentBytes: 0))
            for number in 0..<5 { _ = try log.append(Self.entry("m\(number)")) }
            Self.commit(log)
            #expect(log.segments.map(\.firstOffset) == [0, 1, 2, 3, 4])
            #expect(Self.readAll(log.reader(from: .first)).map(\.offset) == [0, 1, 2, 3, 4])
        }
    }

    @Test func anEntryLargerThanTheReadBufferReadsWhole() throws {
        try withTemporaryDirectory { directory in
            let log = try StreamLog(directory: directory + "/s", retention: StreamRetention())
            let large = String(repeating: "x", count: 3 * SegmentReader.chunkSize + 17)
            _ = try log.append(Self.entry("small"))
            _ = try log.append(Self.entry(large))
            _ = try log.append(Self.entry("after"))
            Self.commit(log)
            #expect(Self.bodies(Self.readAll(log.reader(from: .first))) == ["small", large, "after"])
        }
    }

    @Test func aHostileLengthIsDamageNotAnAllocation() {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32.max)
        buffer.writeInteger(UInt32(0))
        guard case .damaged = StreamEntryCodec.decode(buffer) else {
            Issue.record("a 4 GiB length must be refused")
            return
        }
    }

    @Test func directoryNamesKeepStreamsApart() {
        #expect(StreamDirectory.directoryName(vhost: "/", queue: "logs") == "%2F~logs")
        #expect(StreamDirectory.directoryName(vhost: "a~b", queue: "c") != StreamDirectory.directoryName(vhost: "a", queue: "b~c"))
        #expect(StreamDirectory.directoryName(vhost: "/", queue: "..") != "..")
        let long = StreamDirectory.directoryName(vhost: "/", queue: String(repeating: "é", count: 255))
        #expect(long.utf8.count < 255)
    }
}
