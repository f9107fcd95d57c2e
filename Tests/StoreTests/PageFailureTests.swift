import Broker
import Foundation
import MetricsTestKit
import NIOCore
import Testing

@testable import Store

#if canImport(Glibc)
import Glibc
#endif

/// Page files on a disk that fails: failed writes stay in memory up to a bound, beyond which
/// records are refused, and are written once the disk works again; a record damaged on disk is
/// recovered from the message log for a persistent message and counted as lost for a transient one.
@Suite struct PageFailureTests {
    static let recordSize = 64 * 1024

    static func pager(_ root: String, sink: LogSink, metrics: TestMetrics, operations: FileOperations = .system,
                      unwrittenLimit: Int = PageFiles.unwrittenLimit, segmentPath: @escaping (UInt64) -> String? = { _ in nil }) throws -> PageFiles {
        try PageFiles(directory: root + "/paging", logger: sink.logger, segmentPath: segmentPath, operations: operations,
                      counters: PagingCounters(factory: metrics), unwrittenLimit: unwrittenLimit)
    }

    /// Flips a byte inside the record at `location` of the first page file.
    static func damage(_ location: PageLocation, in root: String) {
        let descriptor = open(root + "/paging/00000001.page", O_WRONLY)
        #expect(descriptor >= 0)
        var flipped: UInt8 = 0xAA
        #expect(pwrite(descriptor, &flipped, 1, off_t(location.offset) + off_t(PageFiles.frameLength) + 1) == 1)
        close(descriptor)
    }

    @Test func failedWritesAreBoundedThenWrittenOnceTheDiskWorksAgain() throws {
        try withTemporaryDirectory { root in
            let sink = LogSink()
            let metrics = TestMetrics()
            let fault = DiskFault()
            fault.fail(true)
            let pager = try Self.pager(root, sink: sink, metrics: metrics, operations: fault.operations, unwrittenLimit: 4 * Self.recordSize)
            let locations = try (0..<5).map { index in try #require(pager.pageOut(PageFilesTests.record(index, size: Self.recordSize))) }
            pager.waitUntilIdle()
            #expect(fault.writesRefused > 0)
            #expect(try metrics.expectCounter("warren_paging_write_errors_total").totalValue >= 1)
            #expect(sink.messages.contains { $0.level == .error && $0.text.contains("cannot write") && $0.text.contains("No space left") })
            // Over the bound: the next record is refused (its message stays in memory).
            #expect(pager.pageOut(PageFilesTests.record(5)) == nil)

            fault.fail(false)
            pager.waitUntilNothingKept()
            #expect(sink.messages.contains { $0.level == .warning && $0.text.contains("written again") })
            let size = try FileManager.default.attributesOfItem(atPath: root + "/paging/00000001.page")[.size] as? Int
            #expect(size == 5 * (PageFiles.frameLength + Self.recordSize))
            let next = try #require(pager.pageOut(PageFilesTests.record(6)))
            let expected = (0..<5).map { PageFilesTests.record($0, size: Self.recordSize) } + [PageFilesTests.record(6)]
            #expect(pager.pageIn(locations + [next]) == expected)
        }
    }

    @Test func recordsKeptInMemoryAreFoundAmongManyFailedWrites() throws {
        try withTemporaryDirectory { root in
            let fault = DiskFault()
            fault.fail(true)
            let pager = try Self.pager(root, sink: LogSink(), metrics: TestMetrics(), operations: fault.operations)
            var locations: [PageLocation] = []
            for index in 0..<2_000 {
                locations.append(try #require(pager.pageOut(PageFilesTests.record(index, size: index % 300))))
                if index % 7 == 0 { pager.prefetch([locations[index]]) }  // a read hands over a short write
            }
            let order = locations.indices.reversed().filter { $0 % 7 != 0 } + locations.indices.filter { $0 % 7 == 0 }
            #expect(pager.pageIn(order.map { locations[$0] }) == order.map { PageFilesTests.record($0, size: $0 % 300) })
        }
    }

    @Test func aDamagedPersistentRecordIsReadFromTheMessageLogAndATransientOneIsLost() throws {
        try withTemporaryDirectory { root in
            let segments = messagesDirectory(root)
            try writeSegment(1, [publish(1, "kept"), .group([publish(2, "persistent"), publish(3, "other")])], in: segments)
            let sink = LogSink()
            let metrics = TestMetrics()
            let segment = segments + "/" + SegmentFiles.name(1)
            let pager = try Self.pager(root, sink: sink, metrics: metrics) { id in id <= 4 ? segment : nil }
            let locations = try (0..<4).map { index in try #require(pager.pageOut(PageFilesTests.record(index))) }
            pager.waitUntilIdle()
            Self.damage(locations[1], in: root)
            Self.damage(locations[2], in: root)
            #expect(pager.pageIn(locations) == [PageFilesTests.record(0), nil, nil, PageFilesTests.record(3)])

            // Record 1 was persistent message 2 (in a group of the log), record 2 a transient one.
            let recovered = pager.recover([2, 0], queue: "logs", vhost: "/")
            #expect(recovered.count == 2 && recovered[1] == nil)
            let message = try #require(recovered[0])
            #expect(String(buffer: message.body) == "persistent" && message.exchange == "ex" && message.routingKey == "rk")
            #expect(message.properties == ByteBuffer(bytes: [0x10, 0x00, 0x02]))
            #expect(try metrics.expectCounter("warren_paging_read_errors_total").totalValue == 2)
            #expect(try metrics.expectCounter("warren_paging_lost_messages_total").totalValue == 1)
            #expect(sink.messages.contains { $0.level == .error && $0.text.contains("queue 'logs' in vhost '/'") && $0.text.contains("1 lost") })

            // An id the log does not hold, and one whose segment is gone: lost, counted, the pager goes on.
            #expect(pager.recover([4], queue: "logs", vhost: "/").map { $0 == nil } == [true])
            try FileManager.default.removeItem(atPath: segment)
            #expect(pager.recover([1], queue: "logs", vhost: "/").map { $0 == nil } == [true])
            #expect(try metrics.expectCounter("warren_paging_lost_messages_total").totalValue == 3)
            #expect(sink.messages.contains { $0.level == .error && $0.text.contains("cannot read 1 persistent messages back") })
        }
    }

    @Test func theMessageStoreNamesTheSegmentOfEachHeldMessage() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            let paths = try await harness.run { store in
                let id = store.allocateID()
                store.stored(publish(id, "held"))
                return [store.segmentPath(of: id), store.segmentPath(of: id + 1)]
            }
            #expect(paths == [directory + "/00000001.seg", nil])
        }
    }
}
