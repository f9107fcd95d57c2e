import AMQPWire
import NIOCore
import Testing

@testable import AMQPServer

/// A queued message never keeps alive buffers more than `maximumOverhead` times its size, and a
/// large body alone or nearly so in its buffer is not copied.
@Suite struct ContentCompactionTests {
    /// A 64 KiB socket read holding the property bytes at its start and `bodySize` body bytes after them.
    static func sliced(bodySize: Int) -> (ContentHeader, ByteBuffer) {
        var read = ByteBufferAllocator().buffer(capacity: 65_536)
        read.writeRepeatingByte(9, count: 65_536)
        let properties = read.getSlice(at: 100, length: 20)!
        let body = read.getSlice(at: 120, length: bodySize)!
        return (ContentHeader(bodySize: UInt64(bodySize), propertyBytes: properties), body)
    }

    static func compact(_ content: (ContentHeader, ByteBuffer)) -> (ContentHeader, ByteBuffer) {
        ContentCompaction.compact(content.0, content.1, allocator: ByteBufferAllocator())
    }

    @Test(arguments: [0, 200, 4096, 16_000])
    func aSmallMessageGetsItsOwnRightSizedBuffer(bodySize: Int) {
        let (header, body) = Self.compact(Self.sliced(bodySize: bodySize))
        let size = 20 + bodySize
        #expect(body.readableBytes == bodySize)
        #expect(header.propertyBytes.readableBytes == 20)
        #expect(body.storageCapacity <= ContentCompaction.maximumOverhead * size)
        #expect(header.propertyBytes.storageCapacity <= ContentCompaction.maximumOverhead * size)
        #expect(body.readableBytesView.allSatisfy { $0 == 9 })
    }

    @Test(arguments: [16_364, 40_000, 65_000])
    func aLargeBodyStaysTheSliceItArrivedIn(bodySize: Int) {
        let original = Self.sliced(bodySize: bodySize)
        let (header, body) = Self.compact(original)
        #expect(body.readableAddress == original.1.readableAddress)
        #expect(header.propertyBytes.storageCapacity <= ContentCompaction.maximumOverhead * 20, "the property bytes get their own buffer")
        #expect(header.propertyBytes == original.0.propertyBytes)
    }

    @Test func propertiesInABigReadAreCopiedWhenTheBodyWasGatheredApart() {
        let (header, _) = Self.sliced(bodySize: 0)
        let gathered = ByteBuffer(bytes: [UInt8](repeating: 1, count: 10_000))
        let (compactHeader, compactBody) = ContentCompaction.compact(header, gathered, allocator: ByteBufferAllocator())
        #expect(compactHeader.propertyBytes.storageCapacity <= ContentCompaction.maximumOverhead * 10_020)
        #expect(compactBody.readableBytes == 10_000)
    }
}
