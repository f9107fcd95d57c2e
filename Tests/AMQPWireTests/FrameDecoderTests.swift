@testable import AMQPWire
import NIOCore
import PropertyBased
import Testing

/// The frame decoder: protocol header, frame boundaries, limits and errors; and the frame writers.
@Suite struct FrameDecoderTests {
    static let amqp0091: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0x00, 0x00, 0x09, 0x01]
    static let heartbeat: [UInt8] = [0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xCE]

    // MARK: Protocol header

    @Test func protocolHeaderConstantIsAMQP0091() {
        #expect(ProtocolHeader.bytes == Self.amqp0091)
        #expect(ProtocolHeader.bytes == utf8("AMQP") + [0, 0, 9, 1])
    }

    @Test func correctProtocolHeaderIsAcceptedAndFramesFollow() {
        let outcome = decodeAll(Self.amqp0091 + Self.heartbeat, expectProtocolHeader: true)
        #expect(outcome.error == nil)
        #expect(outcome.units == [.protocolHeader(accepted: true), .frame(Frame(channel: 0, payload: .heartbeat))])
        #expect(outcome.leftover == 0)
    }

    static let refusedHeaders: [[UInt8]] = [
        [0x41, 0x4D, 0x51, 0x50, 0x00, 0x00, 0x09, 0x00],  // AMQP 0-9-0
        [0x41, 0x4D, 0x51, 0x50, 0x01, 0x01, 0x00, 0x09],  // the 0-9 era header
        [0x41, 0x4D, 0x51, 0x50, 0x00, 0x01, 0x00, 0x00],  // AMQP 1.0
        [0x41, 0x4D, 0x51, 0x50, 0x03, 0x01, 0x00, 0x00],  // AMQP 1.0 SASL
        utf8("HTTP/1.1 200 OK\r\n"),
        utf8("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        utf8("amqp\u{0}\u{0}\u{9}\u{1}"),
    ]

    @Test(arguments: refusedHeaders)
    func wrongProtocolHeadersAreRefused(bytes: [UInt8]) throws {
        var decoder = FrameDecoder(expectProtocolHeader: true)
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try decoder.decode(buffer: &buffer) == .protocolHeader(accepted: false))
    }

    @Test func aShortButAlreadyWrongPrefixIsRefusedAtOnce() throws {
        for bytes in [utf8("H"), utf8("HT"), utf8("AMQX"), [0x41, 0x4D, 0x51, 0x50, 0x00, 0x01]] {
            var decoder = FrameDecoder(expectProtocolHeader: true)
            var buffer = ByteBuffer(bytes: bytes)
            #expect(try decoder.decode(buffer: &buffer) == .protocolHeader(accepted: false), "\(bytes)")
        }
    }

    /// Found by fuzzing (amqp-frames): a wrong prefix refused early left the decoder waiting for a
    /// header, so the next read was refused again, and a whole wrong header let frames follow.
    @Test func aRefusedHeaderEndsTheStreamWhereverTheBytesAreCut() throws {
        let stream: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0x01, 0x01, 0x00, 0x09, 0x70, 0x0A, 0x00, 0x0B, 0x00, 0x00, 0x00, 0xCE] + Self.heartbeat
        for cut in 0...stream.count {
            var decoder = FrameDecoder(expectProtocolHeader: true)
            var units: [InboundUnit] = []
            var buffer = ByteBuffer()
            for piece in [stream[..<cut], stream[cut...]] {
                buffer.writeBytes(piece)
                while let unit = try decoder.decode(buffer: &buffer) { units.append(unit) }
            }
            #expect(units == [.protocolHeader(accepted: false)], "cut at \(cut)")
            #expect(buffer.readableBytes == 0, "bytes after a refused header are dropped (cut at \(cut))")
        }
    }

    @Test func aPartialCorrectPrefixWaitsForMore() throws {
        for length in 0..<8 {
            var decoder = FrameDecoder(expectProtocolHeader: true)
            var buffer = ByteBuffer(bytes: Self.amqp0091.prefix(length))
            #expect(try decoder.decode(buffer: &buffer) == nil, "prefix of \(length)")
            #expect(buffer.readableBytes == length, "nothing consumed from a prefix of \(length)")

            buffer.writeBytes(Self.amqp0091.dropFirst(length))
            #expect(try decoder.decode(buffer: &buffer) == .protocolHeader(accepted: true))
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func headerAndFramesFedByteByByte() throws {
        let stream = Self.amqp0091 + Self.connectionStartGolden + Self.heartbeat
        let (units, unprocessed) = try decodeInChunks(stream, chunkSizes: [1], expectProtocolHeader: true)
        #expect(units == [.protocolHeader(accepted: true), .frame(Self.connectionStartFrame), .frame(Frame(channel: 0, payload: .heartbeat))])
        #expect(unprocessed == 0)
    }

    @Test func clientSideDecoderReadsFramesStraightAway() {
        let outcome = decodeAll(Self.heartbeat + Self.heartbeat, expectProtocolHeader: false)
        #expect(outcome.units == [.frame(Frame(channel: 0, payload: .heartbeat)), .frame(Frame(channel: 0, payload: .heartbeat))])
    }

    // MARK: Golden frames

    /// connection.start as a server sends it (AMQP 0-9-1 §4.2.3 framing, §1.4.2.1 arguments).
    static let connectionStartGolden: [UInt8] =
        [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x38]            // method frame, channel 0, size 56
        + [0x00, 0x0A, 0x00, 0x0A]                            // connection.start (10, 10)
        + [0x00, 0x09]                                        // version-major 0, version-minor 9
        + [0x00, 0x00, 0x00, 0x13]                            // server-properties: 19 octets
        + [0x07] + utf8("product")                            //   "product"
        + [0x53, 0x00, 0x00, 0x00, 0x06] + utf8("warren")     //   S "warren"
        + [0x00, 0x00, 0x00, 0x0E] + utf8("PLAIN AMQPLAIN")   // mechanisms
        + [0x00, 0x00, 0x00, 0x05] + utf8("en_US")            // locales
        + [0xCE]

    static let connectionStartFrame = Frame(channel: 0, payload: .method(.connectionStart(ConnectionStart(
        versionMajor: 0, versionMinor: 9, serverProperties: ["product": "warren"],
        mechanisms: utf8("PLAIN AMQPLAIN"), locales: utf8("en_US")
    ))))

    @Test func connectionStartGoldenBytes() throws {
        #expect(Self.connectionStartGolden.count == 64)
        var buffer = ByteBuffer()
        buffer.writeFrame(Self.connectionStartFrame)
        #expect(buffer.bytes == Self.connectionStartGolden)
        #expect(try decodeOneFrame(Self.connectionStartGolden, frameMax: Frame.minimumSize) == Self.connectionStartFrame)
    }

    @Test func heartbeatFrameBytes() throws {
        var buffer = ByteBuffer()
        buffer.writeHeartbeatFrame()
        #expect(buffer.bytes == [0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xCE])
        var viaFrame = ByteBuffer()
        viaFrame.writeFrame(Frame(channel: 0, payload: .heartbeat))
        #expect(viaFrame.bytes == Self.heartbeat)
        #expect(try decodeOneFrame(Self.heartbeat) == Frame(channel: 0, payload: .heartbeat))
    }

    @Test func bodyFrameGoldenBytes() throws {
        let frame = Frame(channel: 0x0102, payload: .body(ByteBuffer(bytes: utf8("hi"))))
        var buffer = ByteBuffer()
        buffer.writeFrame(frame)
        #expect(buffer.bytes == [0x03, 0x01, 0x02, 0x00, 0x00, 0x00, 0x02, 0x68, 0x69, 0xCE])
        #expect(try decodeOneFrame(buffer.bytes) == frame)
    }

    @Test func emptyBodyFrameDecodes() throws {
        #expect(try decodeOneFrame(frameBytes(type: 3, channel: 1, payload: [])) == Frame(channel: 1, payload: .body(ByteBuffer())))
    }

    // MARK: Frame boundaries

    @Test func framesSplitAtEveryPossibleChunkSizeDecodeTheSame() throws {
        let stream = Self.sampleStream()
        let whole = decodeAll(stream, frameMax: 1 << 20)
        #expect(whole.error == nil)
        #expect(whole.frames.count == 6)
        for size in [1, 2, 3, 7, 8, 9, 13, 64, 1000] {
            let (units, unprocessed) = try decodeInChunks(stream, chunkSizes: [size], expectProtocolHeader: false, frameMax: 1 << 20)
            #expect(units == InboundUnit.joiningBodyPieces(whole.units), "chunks of \(size)")
            #expect(unprocessed == 0)
        }
    }

    @Test func framesSplitAtRandomBoundariesDecodeTheSame() async {
        await propertyCheck(count: 200, input: Gen.method.array(of: 1...6), Gen.int(in: 1...40).array(of: 1...12)) { methods, chunkSizes in
            var stream = ByteBuffer()
            var expected: [InboundUnit] = []
            for (index, method) in methods.enumerated() {
                let channel = UInt16(index + 1)
                stream.writeMethodFrame(method, channel: channel)
                expected.append(.frame(Frame(channel: channel, payload: .method(method))))
                if method.carriesContent {
                    let header = ContentHeader(bodySize: 5, properties: BasicProperties(deliveryMode: 2))
                    stream.writeContentHeaderFrame(header, channel: channel)
                    stream.writeBodyFrames(ByteBuffer(bytes: utf8("hello")), channel: channel, frameMax: 11)  // 3-byte pieces
                    expected.append(.frame(Frame(channel: channel, payload: .header(header))))
                    expected.append(.frame(Frame(channel: channel, payload: .body(ByteBuffer(bytes: utf8("hel"))))))
                    expected.append(.frame(Frame(channel: channel, payload: .body(ByteBuffer(bytes: utf8("lo"))))))
                }
                stream.writeHeartbeatFrame()
                expected.append(.frame(Frame(channel: 0, payload: .heartbeat)))
            }
            let (units, unprocessed) = try decodeInChunks(stream.bytes, chunkSizes: chunkSizes, expectProtocolHeader: false, frameMax: 1 << 20)
            #expect(units == InboundUnit.joiningBodyPieces(expected))
            #expect(unprocessed == 0)
        }
    }

    @Test func anIncompleteFrameIsLeftInTheBuffer() throws {
        let stream = Self.heartbeat + Self.connectionStartGolden
        for cut in 1..<Self.connectionStartGolden.count {
            let outcome = decodeAll(Array(stream.prefix(Self.heartbeat.count + cut)))
            #expect(outcome.error == nil)
            #expect(outcome.units == [.frame(Frame(channel: 0, payload: .heartbeat))])
            #expect(outcome.leftover == cut, "an incomplete frame stays unread")
        }
    }

    @Test func decodeLastBehavesLikeDecode() throws {
        var decoder = FrameDecoder(expectProtocolHeader: false)
        var buffer = ByteBuffer(bytes: Self.heartbeat + Self.heartbeat.prefix(5))
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == .frame(Frame(channel: 0, payload: .heartbeat)))
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == nil)
        #expect(buffer.readableBytes == 5)
    }

    // MARK: Errors

    @Test func badFrameEndIsAFrameError() {
        for end: UInt8 in [0x00, 0xCD, 0xCF, 0xFF] {
            let error = decodingError([0x08, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, end])
            #expect(error?.error == .badFrameEnd(end))
            #expect(error?.channel == 7)
            #expect(error?.error.replyCode == .frameError)
        }
        var method = Self.connectionStartGolden
        method[method.count - 1] = 0xCC
        #expect(decodingError(method)?.error == .badFrameEnd(0xCC))
    }

    @Test func oversizedFramesAreRefusedBeforeThePayloadArrives() throws {
        // Only the 7-octet frame header is available.
        let tooLarge = [0x03, 0x00, 0x05] + be32(Frame.minimumSize - 8 + 1)
        let error = decodingError(tooLarge, frameMax: Frame.minimumSize)
        #expect(error?.error == .frameTooLarge(size: 4089, max: 4088))
        #expect(error?.channel == 5)
        #expect(error?.error.replyCode == .frameError)

        // One octet less is allowed, so the decoder waits for the payload (a body frame's header
        // is taken at once: its payload is handed on in pieces as it arrives).
        var decoder = FrameDecoder(expectProtocolHeader: false, frameMax: Frame.minimumSize)
        var buffer = ByteBuffer(bytes: [0x01, 0x00, 0x05] + be32(4088))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 7)
        var bodyDecoder = FrameDecoder(expectProtocolHeader: false, frameMax: Frame.minimumSize)
        var body = ByteBuffer(bytes: [0x03, 0x00, 0x05] + be32(4088))
        #expect(try bodyDecoder.decode(buffer: &body) == nil)
        #expect(body.readableBytes == 0)

        // A larger negotiated frame_max moves the limit.
        #expect(decodingError([0x01, 0x00, 0x00] + be32(131_065), frameMax: 131_072)?.error == .frameTooLarge(size: 131_065, max: 131_064))
    }

    @Test func aFrameOfExactlyFrameMaxDecodes() throws {
        let payload = [UInt8](repeating: 0xAB, count: Int(Frame.minimumSize) - 8)
        let bytes = frameBytes(type: 3, channel: 1, payload: payload)
        #expect(bytes.count == Int(Frame.minimumSize))
        #expect(try decodeOneFrame(bytes, frameMax: Frame.minimumSize) == Frame(channel: 1, payload: .body(ByteBuffer(bytes: payload))))
    }

    @Test func frameMaxZeroMeansNoLimit() throws {
        var decoder = FrameDecoder(expectProtocolHeader: false, frameMax: 0)
        var buffer = ByteBuffer(bytes: [0x03, 0x00, 0x01] + be32(UInt32.max))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        let big = [UInt8](repeating: 1, count: 200_000)
        #expect(try decodeOneFrame(frameBytes(type: 3, channel: 1, payload: big), frameMax: 0) == Frame(channel: 1, payload: .body(ByteBuffer(bytes: big))))
    }

    @Test func unknownFrameTypesAreAFrameError() {
        for type: UInt8 in [0, 4, 5, 6, 7, 9, 0x41, 0xFF] {
            let error = decodingError(frameBytes(type: type, channel: 2, payload: [0x00]))
            #expect(error?.error == .unknownFrameType(type))
            #expect(error?.channel == 2)
            #expect(error?.error.replyCode == .frameError)
        }
    }

    @Test(arguments: [(UInt16(10), UInt16(99)), (0, 0), (60, 41), (40, 41), (40, 50), (85, 12), (90, 40), (0xFFFF, 0xFFFF), (30, 10)])
    func unknownMethodIdsAreRefused(classID: UInt16, methodID: UInt16) {
        let error = decodingError(frameBytes(type: 1, channel: 3, payload: be16(classID) + be16(methodID) + [0x00, 0x00]))
        #expect(error == FrameDecodingError(error: .unknownMethod(classID: classID, methodID: methodID), channel: 3, classID: classID, methodID: methodID))
        #expect(error?.error.replyCode == .commandInvalid)
    }

    @Test func methodFramesWithoutIdsAreTruncated() {
        for payload: [UInt8] in [[], [0x00], [0x00, 0x3C, 0x00]] {
            let error = decodingError(frameBytes(type: 1, channel: 1, payload: payload))
            #expect(error?.error.isTruncated == true)
        }
    }

    // MARK: Body frames

    static func bodyFrames(_ body: [UInt8], frameMax: UInt32, channel: UInt16 = 1) throws -> [[UInt8]] {
        var buffer = ByteBuffer()
        buffer.writeBodyFrames(ByteBuffer(bytes: body), channel: channel, frameMax: frameMax)
        var decoder = FrameDecoder(expectProtocolHeader: false, frameMax: frameMax)
        let outcome = decodeAll(buffer.bytes, decoder: &decoder)
        if let error = outcome.error { throw error }
        #expect(outcome.leftover == 0)
        return outcome.frames.map { frame in
            #expect(frame.channel == channel)
            guard case .body(let piece) = frame.payload else {
                Issue.record("not a body frame: \(frame)")
                return []
            }
            return piece.bytes
        }
    }

    @Test func bodiesAreSplitAtFrameMax() throws {
        let body = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        let pieces = try Self.bodyFrames(body, frameMax: 4096)
        #expect(pieces.map(\.count) == [4088, 4088, 1824])
        #expect(Array(pieces.joined()) == body)

        #expect(try Self.bodyFrames(Array(body.prefix(8176)), frameMax: 4096).map(\.count) == [4088, 4088])
        #expect(try Self.bodyFrames(Array(body.prefix(4088)), frameMax: 4096).map(\.count) == [4088])
        #expect(try Self.bodyFrames(Array(body.prefix(4089)), frameMax: 4096).map(\.count) == [4088, 1])
        #expect(try Self.bodyFrames(body, frameMax: 0).map(\.count) == [10_000])
    }

    @Test func anEmptyBodyWritesNoFrames() {
        var buffer = ByteBuffer()
        buffer.writeBodyFrames(ByteBuffer(), channel: 1, frameMax: 4096)
        #expect(buffer.readableBytes == 0)
    }

    @Test func bodySplitGoldenBytes() {
        var buffer = ByteBuffer()
        buffer.writeBodyFrames(ByteBuffer(bytes: utf8("abcde")), channel: 2, frameMax: 11)
        #expect(buffer.bytes == frameBytes(type: 3, channel: 2, payload: utf8("abc")) + frameBytes(type: 3, channel: 2, payload: utf8("de")))
    }

    @Test func randomBodiesSplitIntoTheRightNumberOfFrames() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...40_000), Gen<UInt32>.value(in: 4096...20_000), Gen<UInt16>.value()) { size, frameMax, channel in
            let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let pieces = try Self.bodyFrames(body, frameMax: frameMax, channel: channel)
            let chunk = Int(frameMax) - 8
            #expect(pieces.count == (size + chunk - 1) / chunk)
            #expect(pieces.dropLast().allSatisfy { $0.count == chunk }, "every frame but the last is full")
            #expect(pieces.allSatisfy { !$0.isEmpty && $0.count <= chunk })
            #expect(Array(pieces.joined()) == body)
        }
    }

    // MARK: Helpers

    /// method, header, two bodies, heartbeat, method.
    static func sampleStream() -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeMethodFrame(.basicPublish(BasicPublish(exchange: "amq.topic", routingKey: "a.b.c", mandatory: true)), channel: 1)
        buffer.writeContentHeaderFrame(ContentHeader(bodySize: 6, properties: everyPropertyForStream), channel: 1)
        buffer.writeBodyFrames(ByteBuffer(bytes: utf8("ab😀")), channel: 1, frameMax: 12)
        buffer.writeHeartbeatFrame()
        buffer.writeMethodFrame(.connectionClose(ConnectionClose(replyCode: 320, replyText: "CONNECTION_FORCED - bye")), channel: 0)
        return buffer.bytes
    }

    static let everyPropertyForStream = BasicProperties(contentType: "text/plain", headers: ["k": .array([1, "two"])], deliveryMode: 2, timestamp: 7)
}
