@testable import AMQPWire
import NIOCore
import Testing

/// Short strings that are not UTF-8: read as text, and written back as the same text.
@Suite struct ShortStringTests {
    /// Found by fuzzing (amqp-method, field-table, basic-properties): 94 invalid bytes read as 94
    /// U+FFFD (282 bytes), which writing cut to 255, so a routing key, table key or property changed
    /// between being read and being sent back.
    static let invalidRoutingKey: [UInt8] = [101] + Array(repeating: 0x90, count: 94) + Array("d.topic".utf8)

    @Test func invalidUTF8ReadsAsTheTextItIsWrittenBackAs() throws {
        var buffer = ByteBuffer(bytes: Self.invalidRoutingKey)
        let text = try buffer.readShortString()
        #expect(text.utf8.count <= 255)
        #expect(text.unicodeScalars.allSatisfy { $0 == "\u{FFFD}" })
        var written = ByteBuffer()
        written.writeShortString(text)
        #expect(try written.readShortString() == text)
    }

    @Test func aPublishWithSuchARoutingKeySurvivesARoundTrip() throws {
        let payload: [UInt8] = [0, 60, 0, 40, 0, 0, 1, UInt8(ascii: "x")] + Self.invalidRoutingKey + [0]
        var received = ByteBuffer(bytes: [1, 0, 1, 0, 0, 0, UInt8(payload.count)] + payload + [Frame.end])
        var decoder = FrameDecoder(expectProtocolHeader: false, frameMax: 0)
        let decoded = try decoder.decode(buffer: &received)
        var sent = ByteBuffer()
        if case .frame(let frame)? = decoded { sent.writeFrame(frame) }
        #expect(sent.readableBytes > 0)
        #expect(try decoder.decode(buffer: &sent) == decoded)
    }

    @Test func validTextIsCutOnACharacterBoundary() {
        var buffer = ByteBuffer()
        buffer.writeShortString(String(repeating: "ü", count: 200))
        #expect(buffer.readableBytes == 1 + 254)
    }
}
