@testable import AMQPWire
import NIOCore
import PropertyBased
import Testing

/// Basic properties (flags word and property list) and content header frames.
@Suite struct PropertiesTests {
    static func encoded(_ properties: BasicProperties) -> [UInt8] {
        var buffer = ByteBuffer()
        properties.encode(into: &buffer)
        return buffer.bytes
    }

    static func decoded(_ bytes: [UInt8]) throws -> BasicProperties {
        var buffer = ByteBuffer(bytes: bytes)
        let properties = try BasicProperties(from: &buffer)
        #expect(buffer.readableBytes == 0, "property list left \(buffer.readableBytes) bytes")
        return properties
    }

    static let everyProperty = BasicProperties(
        contentType: "application/json", contentEncoding: "gzip", headers: ["x-retries": .int32(3), "trace": .table(["id": "é"])],
        deliveryMode: 2, priority: 9, correlationID: "corr", replyTo: "amq.rabbitmq.reply-to", expiration: "60000",
        messageID: "msg-1", timestamp: 1_700_000_000, type: "order.created", userID: "guest", appID: "warren-tests",
        clusterID: "legacy"
    )

    // MARK: Flags

    @Test func allFourteenPropertiesRoundTrip() throws {
        let bytes = Self.encoded(Self.everyProperty)
        #expect(Array(bytes.prefix(2)) == [0xFF, 0xFC], "bits 15…2 set, continuation and reserved bit clear")
        #expect(try Self.decoded(bytes) == Self.everyProperty)

        // Through a content header frame as well.
        var frame = ByteBuffer()
        frame.writeContentHeaderFrame(ContentHeader(bodySize: 42, properties: Self.everyProperty), channel: 3)
        let decodedFrame = try decodeOneFrame(frame.bytes)
        guard case .header(let header) = decodedFrame.payload else {
            Issue.record("decoded \(decodedFrame)")
            return
        }
        #expect(decodedFrame.channel == 3)
        #expect(header.classID == 60)
        #expect(header.bodySize == 42)
        #expect(try header.properties() == Self.everyProperty)
    }

    static let singleFlags: [(String, BasicProperties, UInt16, [UInt8])] = [
        ("content-type", BasicProperties(contentType: "t"), 0x8000, [0x01, 0x74]),
        ("content-encoding", BasicProperties(contentEncoding: "e"), 0x4000, [0x01, 0x65]),
        ("headers", BasicProperties(headers: [:]), 0x2000, [0x00, 0x00, 0x00, 0x00]),
        ("delivery-mode", BasicProperties(deliveryMode: 1), 0x1000, [0x01]),
        ("priority", BasicProperties(priority: 5), 0x0800, [0x05]),
        ("correlation-id", BasicProperties(correlationID: "c"), 0x0400, [0x01, 0x63]),
        ("reply-to", BasicProperties(replyTo: "r"), 0x0200, [0x01, 0x72]),
        ("expiration", BasicProperties(expiration: "9"), 0x0100, [0x01, 0x39]),
        ("message-id", BasicProperties(messageID: "m"), 0x0080, [0x01, 0x6D]),
        ("timestamp", BasicProperties(timestamp: 0x0102_0304_0506_0708), 0x0040, [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]),
        ("type", BasicProperties(type: "y"), 0x0020, [0x01, 0x79]),
        ("user-id", BasicProperties(userID: "u"), 0x0010, [0x01, 0x75]),
        ("app-id", BasicProperties(appID: "a"), 0x0008, [0x01, 0x61]),
        ("cluster-id", BasicProperties(clusterID: "k"), 0x0004, [0x01, 0x6B]),
    ]

    @Test(arguments: singleFlags)
    func eachPropertyHasItsSpecFlagBit(name: String, properties: BasicProperties, flag: UInt16, value: [UInt8]) throws {
        let golden = be16(flag) + value
        #expect(Self.encoded(properties) == golden, "\(name)")
        #expect(try Self.decoded(golden) == properties, "\(name)")
    }

    @Test func flagBitsAreDistinctAndCoverBits15Through2() {
        let flags = Self.singleFlags.map(\.2)
        #expect(flags.count == 14)
        #expect(flags.reduce(0, |) == 0xFFFC)
        #expect(Set(flags).count == 14)
    }

    @Test func deliveryModeTwoGoldenBytes() throws {
        let persistent = BasicProperties(deliveryMode: 2)
        #expect(Self.encoded(persistent) == [0x10, 0x00, 0x02])
        #expect(try Self.decoded([0x10, 0x00, 0x02]) == persistent)
    }

    @Test func noPropertiesIsAZeroFlagsWord() throws {
        #expect(Self.encoded(BasicProperties()) == [0x00, 0x00])
        #expect(try Self.decoded([0x00, 0x00]) == BasicProperties())
    }

    @Test func propertiesAreWrittenInFlagOrder() {
        // content-type, delivery-mode and app-id: flags 0x8000 | 0x1000 | 0x0008, values in that order.
        let bytes = Self.encoded(BasicProperties(contentType: "t", deliveryMode: 1, appID: "a"))
        #expect(bytes == [0x90, 0x08, 0x01, 0x74, 0x01, 0x01, 0x61])
    }

    @Test func randomPropertiesRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.properties) { properties in
            let bytes = Self.encoded(properties)
            let decoded = try Self.decoded(bytes)
            #expect(decoded == properties)
            var expectedFlags: UInt16 = 0
            let present: [Bool] = [
                properties.contentType != nil, properties.contentEncoding != nil, properties.headers != nil,
                properties.deliveryMode != nil, properties.priority != nil, properties.correlationID != nil,
                properties.replyTo != nil, properties.expiration != nil, properties.messageID != nil,
                properties.timestamp != nil, properties.type != nil, properties.userID != nil, properties.appID != nil,
                properties.clusterID != nil,
            ]
            for (index, isPresent) in present.enumerated() where isPresent { expectedFlags |= 0x8000 >> UInt16(index) }
            #expect(Array(bytes.prefix(2)) == be16(expectedFlags))
        }
    }

    // MARK: Malformed property lists

    @Test func continuationFlagIsRefused() {
        let error = wireError { _ = try Self.decoded([0x00, 0x01]) }
        #expect(error?.isSyntax == true, "got \(String(describing: error))")
    }

    @Test func propertiesMissingTheirValuesAreTruncated() {
        for bytes: [UInt8] in [[], [0x80], [0x80, 0x00], [0x80, 0x00, 0x05, 0x61], [0x00, 0x40, 0x00, 0x00], [0x20, 0x00, 0x00, 0x00, 0x00, 0x09]] {
            let error = wireError { _ = try Self.decoded(bytes) }
            #expect(error?.isTruncated == true, "\(bytes): got \(String(describing: error))")
        }
    }

    @Test func badHeadersTableIsReported() {
        // headers flag, then a table with an unknown type tag 'Z'.
        let error = wireError { _ = try Self.decoded([0x20, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0x6B, 0x5A]) }
        #expect(error == .unknownFieldType(0x5A))
    }

    // MARK: Content header frames

    @Test func contentHeaderFrameGoldenBytes() throws {
        let header = ContentHeader(bodySize: 5, properties: BasicProperties(contentType: "text/plain"))
        let golden: [UInt8] = [
            0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x19,        // header frame, channel 1, size 25
            0x00, 0x3C, 0x00, 0x00,                          // class 60, weight 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  // body size 5
            0x80, 0x00,                                      // flags: content-type
            0x0A, 0x74, 0x65, 0x78, 0x74, 0x2F, 0x70, 0x6C, 0x61, 0x69, 0x6E,  // "text/plain"
            0xCE,
        ]
        var buffer = ByteBuffer()
        buffer.writeContentHeaderFrame(header, channel: 1)
        #expect(buffer.bytes == golden)
        #expect(try decodeOneFrame(golden) == Frame(channel: 1, payload: .header(header)))
    }

    @Test func propertyBytesArePreservedByteForByte() async {
        let propertyBytes = Gen<UInt8>.value().array(of: 2...300)
        await propertyCheck(count: 300, input: propertyBytes, Gen<UInt64>.value(), Gen<UInt16>.value(), Gen<UInt16>.value()) { bytes, bodySize, classID, channel in
            let header = ContentHeader(classID: classID, bodySize: bodySize, propertyBytes: ByteBuffer(bytes: bytes))
            var buffer = ByteBuffer()
            buffer.writeContentHeaderFrame(header, channel: channel)
            #expect(buffer.readableBytes == 8 + 12 + bytes.count)
            let frame = try decodeOneFrame(buffer.bytes)
            guard case .header(let decoded) = frame.payload else {
                Issue.record("decoded \(frame)")
                return
            }
            #expect(frame.channel == channel)
            #expect(decoded.classID == classID)
            #expect(decoded.bodySize == bodySize)
            #expect(decoded.propertyBytes.bytes == bytes)
        }
    }

    @Test func nonCanonicalPropertiesPassThroughUnchanged() throws {
        // A content-type that is not valid UTF-8: decoding it replaces the bytes, but forwarding must not.
        let raw: [UInt8] = [0x80, 0x00, 0x02, 0xFF, 0xFE]
        let bytes = frameBytes(type: 2, channel: 1, payload: [0x00, 0x3C, 0x00, 0x00] + be64(0) + raw)
        let frame = try decodeOneFrame(bytes)
        guard case .header(let header) = frame.payload else {
            Issue.record("decoded \(frame)")
            return
        }
        #expect(header.propertyBytes.bytes == raw)
        #expect(try header.properties().contentType == "\u{FFFD}\u{FFFD}")
        var forwarded = ByteBuffer()
        forwarded.writeFrame(frame)
        #expect(forwarded.bytes == bytes)
    }

    @Test func headerFramesTooShortForTheirFixedFieldsAreTruncated() throws {
        // class(2) weight(2) body-size(8) flags(2) = 14 octets at least.
        for size in [0, 3, 11, 12, 13] {
            let payload = Array([0x00, 0x3C, 0x00, 0x00] + be64(1) + [0x00, 0x00]).prefix(size)
            let error = decodingError(frameBytes(type: 2, channel: 9, payload: Array(payload)))
            #expect(error?.error.isTruncated == true, "payload of \(size) octets: \(String(describing: error))")
            #expect(error?.channel == 9)
        }
        let minimal = try decodeOneFrame(frameBytes(type: 2, channel: 9, payload: [0x00, 0x3C, 0x00, 0x00] + be64(1) + [0x00, 0x00]))
        #expect(minimal == Frame(channel: 9, payload: .header(ContentHeader(bodySize: 1, properties: BasicProperties()))))
    }
}
