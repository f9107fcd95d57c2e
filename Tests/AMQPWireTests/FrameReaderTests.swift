import AMQPWire
import NIOCore
import Testing

/// Reads split anywhere decode to the same frames; a frame inside one read is a slice of it, a
/// body frame cut by a read arrives as slices of each read, and only the start of another frame
/// cut by a read is carried over.
@Suite struct FrameReaderTests {
    static let body = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }

    /// Two publishes (one with a 300-byte body in three 120-byte frames, one with a single body
    /// frame) and a heartbeat between them: nine frames.
    static func stream() -> [UInt8] {
        var stream = ByteBuffer()
        stream.writeMethodFrame(.basicPublish(BasicPublish(exchange: "x", routingKey: "k")), channel: 1)
        stream.writeContentHeaderFrame(ContentHeader(bodySize: 300, properties: BasicProperties(deliveryMode: 2)), channel: 1)
        stream.writeBodyFrames(ByteBuffer(bytes: body), channel: 1, frameMax: 128)
        stream.writeHeartbeatFrame()
        stream.writeMethodFrame(.basicPublish(BasicPublish(exchange: "", routingKey: "q")), channel: 2)
        stream.writeContentHeaderFrame(ContentHeader(bodySize: 5, properties: BasicProperties()), channel: 2)
        stream.writeBodyFrames(ByteBuffer(bytes: utf8("hello")), channel: 2, frameMax: 128)
        return stream.bytes
    }

    /// Every unit the reader gives for `reads`, each read appended once `next()` returned nil.
    static func read(_ reads: [[UInt8]], frameMax: UInt32 = 128) throws -> [InboundUnit] {
        var reader = FrameReader(decoder: FrameDecoder(expectProtocolHeader: false, frameMax: frameMax))
        var units: [InboundUnit] = []
        for read in reads {
            reader.append(ByteBuffer(bytes: read))
            while let unit = try reader.next() { units.append(unit) }
        }
        return units
    }

    static func bodyPiece(_ unit: InboundUnit) -> ByteBuffer? {
        if case .frame(let frame) = unit, case .body(let piece) = frame.payload { piece } else { nil }
    }

    @Test func readsSplitAtEveryPointDecodeTheSame() throws {
        let stream = Self.stream()
        let whole = try Self.read([stream])
        #expect(whole.count == 9)
        #expect(InboundUnit.joiningBodyPieces(whole).compactMap(Self.bodyPiece).map(\.bytes) == [Self.body, utf8("hello")])
        for cut in 1..<stream.count {
            let split = try Self.read([Array(stream[..<cut]), Array(stream[cut...])])
            #expect(InboundUnit.joiningBodyPieces(split) == InboundUnit.joiningBodyPieces(whole), "cut at \(cut)")
        }
    }

    @Test func readsOfOneByteEachDecodeTheSame() throws {
        let stream = Self.stream()
        let bytes = try Self.read(stream.map { [$0] })
        #expect(InboundUnit.joiningBodyPieces(bytes) == InboundUnit.joiningBodyPieces(try Self.read([stream])))
    }

    @Test func aFrameInsideOneReadIsASliceOfIt() throws {
        let read = ByteBuffer(bytes: FrameDecoderTests.heartbeat + frameBytes(type: 3, channel: 1, payload: Self.body))
        var reader = FrameReader(decoder: FrameDecoder(expectProtocolHeader: false, frameMax: 0))
        reader.append(read)
        #expect(try reader.next() == .frame(Frame(channel: 0, payload: .heartbeat)))
        let piece = try #require(try reader.next().flatMap(Self.bodyPiece))
        #expect(piece.bytes == Self.body)
        #expect(piece.readableAddress == read.readableAddress + 8 + 7, "the body is the read's own bytes")
        #expect(try reader.next() == nil)
    }

    @Test func aBodyFrameCutByAReadArrivesAsSlicesOfEachRead() throws {
        let frame = frameBytes(type: 3, channel: 1, payload: Self.body)
        let first = ByteBuffer(bytes: frame[..<100])
        let second = ByteBuffer(bytes: frame[100...])
        var reader = FrameReader(decoder: FrameDecoder(expectProtocolHeader: false, frameMax: 0))
        reader.append(first)
        let head = try #require(try reader.next().flatMap(Self.bodyPiece))
        #expect(try reader.next() == nil)
        reader.append(second)
        let tail = try #require(try reader.next().flatMap(Self.bodyPiece))
        #expect(try reader.next() == nil)
        #expect(head.bytes + tail.bytes == Self.body)
        #expect(head.readableAddress == first.readableAddress + 7)
        #expect(tail.readableAddress == second.readableAddress)
    }

    @Test func theLastPieceOfABodyFrameWaitsForItsEndOctet() throws {
        let frame = frameBytes(type: 3, channel: 1, payload: Self.body)
        let pieces = try Self.read([Array(frame.dropLast()), [frame.last!]], frameMax: 0)
        #expect(pieces.compactMap(Self.bodyPiece).map(\.readableBytes) == [Self.body.count - 1, 1])

        var reader = FrameReader(decoder: FrameDecoder(expectProtocolHeader: false, frameMax: 0))
        reader.append(ByteBuffer(bytes: frame.dropLast()))
        #expect(try reader.next().flatMap(Self.bodyPiece)?.readableBytes == Self.body.count - 1)
        reader.append(ByteBuffer(bytes: [0x00]))
        #expect(throws: FrameDecodingError(error: .badFrameEnd(0x00), channel: 1)) { try reader.next() }
    }

    @Test func onlyTheFrameCutByAReadIsCarriedAndTheFramesAfterItStayInTheNextRead() throws {
        let method = encodedMethodFrame(.basicPublish(BasicPublish(exchange: "x", routingKey: "k")), channel: 1)
        let stream = method + frameBytes(type: 3, channel: 1, payload: Self.body)
        let second = ByteBuffer(bytes: stream[10...])
        var reader = FrameReader(decoder: FrameDecoder(expectProtocolHeader: false, frameMax: 0))
        reader.append(ByteBuffer(bytes: stream[..<10]))
        #expect(try reader.next() == nil)
        reader.append(second)
        #expect(try reader.next() == .frame(Frame(channel: 1, payload: .method(.basicPublish(BasicPublish(exchange: "x", routingKey: "k"))))))
        let piece = try #require(try reader.next().flatMap(Self.bodyPiece))
        #expect(piece.bytes == Self.body)
        #expect(piece.readableAddress == second.readableAddress + (method.count - 10) + 7, "the body was not copied")
    }

    @Test func oversizedFramesAreRefusedAcrossReads() throws {
        var reader = FrameReader(decoder: FrameDecoder(expectProtocolHeader: false, frameMax: Frame.minimumSize))
        reader.append(ByteBuffer(bytes: [0x01, 0x00]))
        #expect(try reader.next() == nil)
        reader.append(ByteBuffer(bytes: [0x05] + be32(UInt32.max)))
        #expect(throws: FrameDecodingError(error: .frameTooLarge(size: UInt32.max, max: 4088), channel: 5)) { try reader.next() }
    }
}

extension ByteBuffer {
    /// Where the first readable byte lives, to tell whether a buffer is a slice of another.
    var readableAddress: Int {
        withUnsafeReadableBytes { Int(bitPattern: $0.baseAddress) }
    }
}
