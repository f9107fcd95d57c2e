import NIOCore
import Testing

@testable import Store

/// CRC-32 against published check values.
@Suite struct CRC32Tests {
    @Test func knownVectors() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func seedContinuesAChecksum() {
        let whole = Array("123456789".utf8)
        let first = CRC32.checksum(whole[..<4])
        #expect(CRC32.checksum(whole[4...], seed: first) == 0xCBF4_3926)
    }
}

/// The on-disk framing of a record: `length u32 | crc32 u32 | payload`, big-endian.
@Suite struct StoreRecordFramingTests {
    /// Bytes computed independently (Python struct + zlib.crc32).
    @Test func goldenDelivered() {
        let bytes = framed([.delivered(id: 0x0102_0304_0506_0708, queue: "q")])
        #expect(bytes == hex("0000000bfa4f159c0201020304050607080171"))
    }

    @Test func goldenRemoved() {
        let bytes = framed([.removed(id: 42, queue: "orders")])
        #expect(bytes == hex("000000109af8e84e03000000000000002a066f7264657273"))
    }

    /// The current publish format (kind 5): u32 queue count and the publish time.
    @Test func goldenPublish() {
        let record = StoreRecord.publish(id: 7, vhost: "/", queues: ["a", "b"], exchange: "ex", routingKey: "rk",
                                         properties: ByteBuffer(bytes: [0x10, 0x00, 0x02]), body: ByteBuffer(string: "hello"),
                                         publishedAt: 1_700_000_000_000)
        #expect(framed([record]) == hex("000000310f71e0180500000000000000070000018bcfe56800012f000000020161016202657802726b000000031000020000000568656c6c6f"))
    }

    /// The first publish format (kind 1: u16 queue count, no publish time), as earlier versions
    /// wrote it, still reads: data directories written by them recover.
    @Test func goldenPublishVersion1StillReads() {
        var buffer = ByteBuffer(bytes: hex("00000027561ba0b5010000000000000007012f00020161016202657802726b000000031000020000000568656c6c6f"))
        guard case .record(let record) = StoreRecord.read(from: &buffer) else {
            Issue.record("the version 1 record did not read")
            return
        }
        #expect(record == .publish(id: 7, vhost: "/", queues: ["a", "b"], exchange: "ex", routingKey: "rk",
                                   properties: ByteBuffer(bytes: [0x10, 0x00, 0x02]), body: ByteBuffer(string: "hello"),
                                   publishedAt: 0))
    }

    /// More queues than a u16 counts (the first format wrapped the count).
    @Test func publishToMoreThan65535QueuesRoundTrips() {
        let queues = (0..<70_000).map { "q\($0)" }
        var buffer = ByteBuffer(bytes: framed([publish(3, "m", queues: queues)]))
        guard case .record(.publish(_, _, let read, _, _, _, _, _)) = StoreRecord.read(from: &buffer) else {
            Issue.record("did not read back")
            return
        }
        #expect(read == queues)
    }

    @Test(arguments: [
        publish(1, "body"),
        publish(StoreRecord.idLimit - 1, "", queues: ["a", "b", "c"], vhost: "logs"),
        StoreRecord.publish(id: 9, vhost: "/", queues: [], exchange: "", routingKey: "",
                            properties: ByteBuffer(), body: ByteBuffer(repeating: 0xAB, count: 70_000)),
        StoreRecord.delivered(id: 3, queue: "q"),
        StoreRecord.removed(id: 4, queue: String(repeating: "x", count: 255)),
    ])
    func headerIsLengthAndChecksumOfPayload(_ record: StoreRecord) {
        var buffer = ByteBuffer()
        record.write(to: &buffer)
        let length = buffer.getInteger(at: 0, as: UInt32.self)!
        let checksum = buffer.getInteger(at: 4, as: UInt32.self)!
        #expect(Int(length) == buffer.readableBytes - StoreRecord.headerSize)
        #expect(checksum == CRC32.checksum(buffer.readableBytesView.dropFirst(StoreRecord.headerSize)))
    }

    @Test(arguments: [
        publish(1, "body"),
        publish(StoreRecord.idLimit - 1, "", queues: ["a", "b", "c"], vhost: "logs"),
        StoreRecord.publish(id: 9, vhost: "/", queues: [], exchange: "", routingKey: "",
                            properties: ByteBuffer(), body: ByteBuffer(repeating: 0xAB, count: 70_000)),
        StoreRecord.delivered(id: 3, queue: "q"),
        StoreRecord.removed(id: 4, queue: String(repeating: "x", count: 255)),
    ])
    func roundTrip(_ record: StoreRecord) {
        var buffer = ByteBuffer()
        record.write(to: &buffer)
        guard case .record(let read) = StoreRecord.read(from: &buffer) else {
            Issue.record("record did not read back")
            return
        }
        #expect(read == record)
        #expect(buffer.readableBytes == 0)
        guard case .end = StoreRecord.read(from: &buffer) else {
            Issue.record("expected the end of the buffer")
            return
        }
    }

    @Test func writingAfterExistingBytesFramesOnlyTheNewRecord() {
        var buffer = ByteBuffer(string: "junk")
        buffer.moveReaderIndex(forwardBy: 2)  // a reader index that is not 0
        StoreRecord.delivered(id: 0x0102_0304_0506_0708, queue: "q").write(to: &buffer)
        #expect(Array(buffer.readableBytesView.dropFirst(2)) == hex("0000000bfa4f159c0201020304050607080171"))
    }

    @Test func recordsReadBackInSequence() {
        let records = [publish(1, "a"), .delivered(id: 1, queue: "q"), publish(2, "b"), .removed(id: 1, queue: "q")]
        var buffer = ByteBuffer(bytes: framed(records))
        var read: [StoreRecord] = []
        while case .record(let record) = StoreRecord.read(from: &buffer) { read.append(record) }
        #expect(read == records)
    }

    @Test func everyTruncationIsTorn() {
        let bytes = framed([publish(5, "hello world")])
        for cut in 1..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes[..<cut])
            guard case .torn = StoreRecord.read(from: &buffer) else {
                Issue.record("cut at \(cut) of \(bytes.count) was not reported torn")
                continue
            }
        }
    }

    @Test func everyFlippedPayloadByteIsCorrupt() {
        let bytes = framed([publish(5, "hello world")])
        for index in StoreRecord.headerSize..<bytes.count {
            var damaged = bytes
            damaged[index] ^= 0x01
            var buffer = ByteBuffer(bytes: damaged)
            guard case .corrupt = StoreRecord.read(from: &buffer) else {
                Issue.record("flipping byte \(index) was not detected")
                continue
            }
        }
    }

    @Test func wrongChecksumIsCorrupt() {
        var bytes = framed([.removed(id: 1, queue: "q")])
        bytes[4] ^= 0xFF
        var buffer = ByteBuffer(bytes: bytes)
        guard case .corrupt = StoreRecord.read(from: &buffer) else {
            Issue.record("a wrong checksum was not detected")
            return
        }
    }

    /// A record with a valid checksum but a payload that does not parse (unknown kind, short body).
    @Test(arguments: [[UInt8]([9, 0, 0, 0, 0, 0, 0, 0, 1]), [2, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 1, 5, 0x61]])
    func unparseablePayloadIsCorrupt(_ payload: [UInt8]) {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(payload.count))
        buffer.writeInteger(CRC32.checksum(payload))
        buffer.writeBytes(payload)
        buffer.writeBytes(framed([.removed(id: 2, queue: "q")]))
        guard case .corrupt = StoreRecord.read(from: &buffer) else {
            Issue.record("payload \(payload) was accepted")
            return
        }
        #expect(buffer.readerIndex == StoreRecord.headerSize + payload.count)
    }
}

func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}
