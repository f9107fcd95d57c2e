import AMQPWire
import NIOCore
import Testing

@testable import AMQPServer

/// Deliveries are written as frames a decoder reads back; a large body goes out as the buffer it
/// is held in (no copy), a small one inside the frames buffer.
@Suite struct FrameOutputTests {
    static let deliver = AMQPMethod.basicDeliver(BasicDeliver(consumerTag: "c", deliveryTag: 1, exchange: "x", routingKey: "k"))
    static let header = ContentHeader(bodySize: 0, properties: BasicProperties(deliveryMode: 2))

    /// Writes one delivery of `body` and returns the buffers to write.
    static func write(_ body: ByteBuffer, frameMax: UInt32) -> [ByteBuffer] {
        var output = FrameOutput(allocator: ByteBufferAllocator())
        var header = Self.header
        header.bodySize = UInt64(body.readableBytes)
        output.writeContent(deliver, header: header, body: body, channel: 3, frameMax: frameMax)
        output.frames.writeHeartbeatFrame()
        return output.take()
    }

    /// The frames the buffers carry, decoded as a client would.
    static func frames(_ buffers: [ByteBuffer]) throws -> [Frame] {
        var reader = FrameReader(decoder: FrameDecoder(expectProtocolHeader: false, frameMax: 0))
        var frames: [Frame] = []
        for buffer in buffers {
            reader.append(buffer)
            while case .frame(let frame)? = try reader.next() { frames.append(frame) }
        }
        return frames
    }

    @Test func aLargeBodyIsWrittenAsTheBufferItIsHeldIn() throws {
        let body = ByteBuffer(bytes: (0..<300_000).map { UInt8(truncatingIfNeeded: $0) })
        let buffers = Self.write(body, frameMax: 131_072)
        let bodyRange = body.readableAddress..<(body.readableAddress + body.readableBytes)
        let pieces = buffers.filter { bodyRange.contains($0.readableAddress) }
        #expect(pieces.map(\.readableAddress) == [0, 131_064, 262_128].map { body.readableAddress + $0 }, "one slice of the body per frame")
        let frames = try Self.frames(buffers)
        #expect(frames.first == Frame(channel: 3, payload: .method(Self.deliver)))
        #expect(frames.last == Frame(channel: 0, payload: .heartbeat))
        let received = frames.compactMap { frame -> [UInt8]? in if case .body(let piece) = frame.payload { Array(piece.readableBytesView) } else { nil } }
        #expect(Array(received.joined()) == Array(body.readableBytesView))
    }

    @Test func aSmallBodyIsCopiedIntoTheFramesBuffer() throws {
        let body = ByteBuffer(string: "a log line")
        let buffers = Self.write(body, frameMax: 131_072)
        #expect(buffers.count == 1)
        #expect(try Self.frames(buffers).map(\.payload) == [.method(Self.deliver), .header(ContentHeader(bodySize: 10, properties: BasicProperties(deliveryMode: 2))), .body(body), .heartbeat])
    }

    @Test func nothingWrittenLeavesNothingToWrite() {
        var output = FrameOutput(allocator: ByteBufferAllocator())
        #expect(output.isEmpty)
        #expect(output.take().isEmpty)
    }
}
