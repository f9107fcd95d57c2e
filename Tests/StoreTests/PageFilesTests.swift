import Broker
import Foundation
import NIOCore
import Testing

@testable import Store

#if canImport(Glibc)
import Glibc
#endif

/// Page files on a real disk: records come back as written, in the order asked, read together
/// where they sit together; a damaged one is reported and dropped; files go when emptied.
@Suite struct PageFilesTests {
    static func record(_ index: Int, size: Int = 100) -> ByteBuffer {
        ByteBuffer(repeating: UInt8(truncatingIfNeeded: index), count: size)
    }

    @Test func recordsComeBackAsWrittenAndTheFileIsEmptiedAfterwards() throws {
        try withTemporaryDirectory { root in
            let sink = LogSink()
            let pager = try PageFiles(directory: root + "/paging", logger: sink.logger, segmentPath: { _ in nil })
            let locations = try (0..<500).map { index in try #require(pager.pageOut(Self.record(index, size: index))) }
            // Every other one first (two stretches of gaps), then the rest.
            let odd = locations.indices.filter { $0 % 2 == 1 }
            let even = locations.indices.filter { $0 % 2 == 0 }
            #expect(pager.pageIn(odd.map { locations[$0] }) == odd.map { Self.record($0, size: $0) })
            #expect(pager.pageIn(even.map { locations[$0] }) == even.map { Self.record($0, size: $0) })
            pager.waitUntilIdle()
            let size = try FileManager.default.attributesOfItem(atPath: root + "/paging/00000001.page")[.size] as? Int
            #expect(size == 0)
            #expect(sink.messages.isEmpty)
        }
    }

    @Test func aDamagedRecordIsDroppedAndReportedAndItsNeighboursDelivered() throws {
        try withTemporaryDirectory { root in
            let sink = LogSink()
            let pager = try PageFiles(directory: root + "/paging", logger: sink.logger, segmentPath: { _ in nil })
            let locations = try (0..<3).map { index in try #require(pager.pageOut(Self.record(index))) }
            pager.waitUntilIdle()
            let descriptor = open(root + "/paging/00000001.page", O_WRONLY)
            #expect(descriptor >= 0)
            var flipped: UInt8 = 0xAA
            #expect(pwrite(descriptor, &flipped, 1, off_t(locations[1].offset) + 20) == 1)
            close(descriptor)
            let records = pager.pageIn(locations)
            #expect(records == [Self.record(0), nil, Self.record(2)])
            #expect(sink.messages.contains { $0.level == .error && $0.text.contains("damaged record") })
        }
    }

    @Test func aFileIsDeletedOnceEverythingInItIsReadOrReleased() throws {
        try withTemporaryDirectory { root in
            let pager = try PageFiles(directory: root + "/paging", logger: LogSink().logger, segmentPath: { _ in nil })
            let big = Int(PageFiles.fileLimit / 2)
            let locations = try (0..<3).map { index in try #require(pager.pageOut(Self.record(index, size: big))) }
            #expect(Set(locations.map(\.file)) == [1, 2])
            #expect(pager.pageIn([locations[0]]) == [Self.record(0, size: big)])
            pager.waitUntilIdle()
            #expect(FileManager.default.fileExists(atPath: root + "/paging/00000001.page"))
            pager.release(locations[1])
            pager.waitUntilIdle()
            #expect(!FileManager.default.fileExists(atPath: root + "/paging/00000001.page"))
            #expect(pager.pageIn([locations[2]]) == [Self.record(2, size: big)])
        }
    }

    @Test func prefetchedRecordsComeBackAsWrittenAndReleasedOnesAreForgotten() throws {
        try withTemporaryDirectory { root in
            let sink = LogSink()
            let pager = try PageFiles(directory: root + "/paging", logger: sink.logger, segmentPath: { _ in nil })
            let locations = try (0..<300).map { index in try #require(pager.pageOut(Self.record(index))) }
            pager.prefetch(Array(locations[0..<200]))
            pager.prefetch(Array(locations[100..<300]))  // the first 100 are asked for already
            pager.release(locations[5])
            #expect(pager.pageIn(Array(locations[0..<5])) == (0..<5).map { Self.record($0) })
            let rest = Array(locations[6...].reversed())
            #expect(pager.pageIn(rest) == (6..<300).reversed().map { Self.record($0) })
            pager.waitUntilIdle()
            #expect(try FileManager.default.attributesOfItem(atPath: root + "/paging/00000001.page")[.size] as? Int == 0)
            #expect(sink.messages.isEmpty)
        }
    }

    @Test func aLocationWrittenAgainAfterItsFileWasEmptiedReadsTheNewRecord() throws {
        try withTemporaryDirectory { root in
            let pager = try PageFiles(directory: root + "/paging", logger: LogSink().logger, segmentPath: { _ in nil })
            let old = try #require(pager.pageOut(Self.record(1)))
            pager.prefetch([old])
            pager.release(old)  // the file is empty again: the next record goes where this one was
            let new = try #require(pager.pageOut(Self.record(2)))
            #expect(new == old)
            pager.prefetch([new])
            #expect(pager.pageIn([new]) == [Self.record(2)])
        }
    }

    @Test func recordsWhoseWriteFailedAreReportedAndStillReadBack() throws {
        try withTemporaryDirectory { root in
            let sink = LogSink()
            let pager = try PageFiles(directory: root + "/paging", logger: sink.logger, segmentPath: { _ in nil })
            try FileManager.default.removeItem(atPath: root + "/paging")  // the page file cannot be created
            let locations = try (0..<10).map { index in try #require(pager.pageOut(Self.record(index))) }
            pager.waitUntilIdle()
            #expect(sink.messages.contains { $0.level == .error && $0.text.contains("cannot write") })
            #expect(pager.pageIn(locations) == (0..<10).map { Self.record($0) })
        }
    }

    @Test func startingEmptiesWhatAnEarlierRunLeft() throws {
        try withTemporaryDirectory { root in
            let first = try PageFiles(directory: root + "/paging", logger: LogSink().logger, segmentPath: { _ in nil })
            _ = first.pageOut(Self.record(0))
            _ = try PageFiles(directory: root + "/paging", logger: LogSink().logger, segmentPath: { _ in nil })
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/paging").isEmpty)
        }
    }
}
