import NIOCore
import Testing

@testable import Store

/// The writer thread encodes the records the broker's loop hands it: what reaches the log is byte
/// for byte what encoding each record where it was appended gives, and recovers to the same messages.
@Suite struct WriterEncodingTests {
    /// Field values at their limits: names over 255 bytes (cut, one inside a two-byte character),
    /// empty strings and buffers, extreme ids and publish times, many queues.
    static let hostile: [StoreRecord] = [
        .publish(id: 1, vhost: String(repeating: "v", count: 300), queues: ["q", String(repeating: "é", count: 150)],
                 exchange: "", routingKey: "🐇.\u{0}.#", properties: ByteBuffer(), body: ByteBuffer(), publishedAt: .min),
        .publish(id: StoreRecord.idLimit - 1, vhost: "/", queues: (0..<1_000).map { "q\($0)" }, exchange: "ex",
                 routingKey: String(repeating: "k", count: 255), properties: ByteBuffer(bytes: [0x10, 0x00, 0x02]),
                 body: ByteBuffer(repeating: 0xFF, count: 70_000), publishedAt: .max),
        .publish(id: 2, vhost: "/", queues: [], exchange: "e", routingKey: "", properties: ByteBuffer(),
                 body: ByteBuffer(string: "to no queue"), publishedAt: 0),
        .delivered(id: 1, queue: String(repeating: "€", count: 100)),
        .removed(id: 0, queue: ""),
        .group([publish(3, "grouped"), .removed(id: 1, queue: "q"), .delivered(id: 3, queue: "q")]),
    ]

    /// What the log counts towards a segment is the encoded length; over it only where a long name
    /// is cut inside a character (by less than one character's bytes).
    @Test(arguments: hostile)
    func encodedLengthMatchesTheEncoding(_ record: StoreRecord) {
        let written = framed([record]).count
        #expect(record.encodedLength >= written)
        #expect(record.encodedLength - written < 4)
    }

    @Test func encodedLengthIsExactForNamesThatFit() {
        for record in [publish(1, "body", queues: ["a", "b"]), .delivered(id: 2, queue: "q"), .removed(id: 3, queue: "orders"),
                       .group([publish(4, "x"), .removed(id: 4, queue: "q")])] {
            #expect(record.encodedLength == framed([record]).count)
        }
    }

    @Test func messageStoreWritesWhatEncodingEachRecordGives() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            let handed = try await harness.run { store in
                var handed: [StoreRecord] = []
                for record in Self.hostile {
                    switch record {
                    case .publish: store.stored(record)
                    case .delivered(let id, let queue): store.delivered(id: id, queue: queue)
                    case .removed(let id, let queue): store.removed(id: id, queue: queue)
                    case .group(let records):
                        store.beginGroup()
                        store.stored(records[0])
                        store.removed(id: 1, queue: "q")
                        store.delivered(id: 3, queue: "q")
                        store.endGroup()
                    }
                    // `removed` writes nothing for an id the store does not hold (0 here).
                    if case .removed(0, _) = record { continue }
                    handed.append(record)
                }
                return handed
            }
            #expect(try await harness.commitAndWait().isWritten)
            #expect(try segmentBytes(1, in: directory) == framed(handed))
            let recovered = try recover(directory)
            #expect(recovered.entries("q").map(\.body) == ["grouped"])
            #expect(recovered.entries("q").map(\.redelivered) == [true])
            #expect(recovered.bodies(String(repeating: "é", count: 127), vhost: String(repeating: "v", count: 255)) == [""])
            #expect(recovered.ids("q999") == [StoreRecord.idLimit - 1])
            #expect(recovered.queues["/"]?["q999"]?.first?.message.body == ByteBuffer(repeating: 0xFF, count: 70_000))
            #expect(recovered.queues["/"]?["q999"]?.first?.message.publishedAt == .max)
            #expect(recovered.nextID == StoreRecord.idLimit)
            try await harness.shutdown()
        }
    }
}
