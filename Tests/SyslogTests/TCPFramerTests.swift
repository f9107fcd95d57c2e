import NIOCore
import Testing
import TestSupport

@testable import Syslog

/// RFC 6587 framing: octet counting and LF-terminated frames on one stream, any chunking.
@Suite struct TCPFramerTests {
    /// Feeds `chunks` and drains every complete frame after each one.
    func frames(_ chunks: [[UInt8]], maxMessageSize: Int = 65536) throws(SyslogFramingError) -> [String] {
        var framer = SyslogTCPFramer(maxMessageSize: maxMessageSize)
        var out: [String] = []
        for chunk in chunks {
            framer.append(ByteBuffer(bytes: chunk))
            while let frame = try framer.nextFrame() { out.append(frame.text) }
        }
        switch framer.finish() {
        case .line(let rest)?: out.append("EOF:" + rest.text)
        case .incompleteFrame(let pendingBytes)?: out.append("DROPPED:\(pendingBytes)")
        case nil: break
        }
        return out
    }

    func frames(_ stream: String, maxMessageSize: Int = 65536) throws(SyslogFramingError) -> [String] {
        try frames([Array(stream.utf8)], maxMessageSize: maxMessageSize)
    }

    static let mixed = "41 <141>1 2026-11-23T10:00:00Z h a - - - one"
        + "<141>Nov 23 10:00:00 h a: two\n"
        + "<142>Nov  3 01:02:03 h a[7]: three\r\n"
        + "5 <1>x\n"
        + "6 <1>y\r\n"
        + "no pri here\n"
        + "\n"
        + "10 <13>a\nb\r\nc"
    static let mixedFrames = [
        "<141>1 2026-11-23T10:00:00Z h a - - - one", "<141>Nov 23 10:00:00 h a: two", "<142>Nov  3 01:02:03 h a[7]: three",
        "<1>x\n", "<1>y\r\n", "no pri here", "", "<13>a\nb\r\nc",
    ]

    @Test func bothFramingsInterleaveOnOneStream() throws {
        #expect(try frames(Self.mixed) == Self.mixedFrames)
    }

    @Test func everySplitPointGivesTheSameFrames() throws {
        let bytes = Array(Self.mixed.utf8)
        for split in 0...bytes.count {
            #expect(try frames([Array(bytes[..<split]), Array(bytes[split...])]) == Self.mixedFrames, "split at \(split)")
        }
    }

    @Test func byteByByteGivesTheSameFrames() throws {
        #expect(try frames(Array(Self.mixed.utf8).map { [$0] }) == Self.mixedFrames)
    }

    @Test func randomChunkingGivesTheSameFrames() throws {
        var random = SeededGenerator(seed: 6587)
        let bytes = Array(Self.mixed.utf8)
        for _ in 0..<500 {
            var chunks: [[UInt8]] = []
            var index = 0
            while index < bytes.count {
                let size = Int.random(in: 0...12, using: &random)
                chunks.append(Array(bytes[index..<min(index + size, bytes.count)]))
                index += size
            }
            #expect(try frames(chunks) == Self.mixedFrames)
        }
    }

    @Test func framesParseAsTheirMessages() throws {
        var framer = SyslogTCPFramer()
        framer.append(ByteBuffer(string: Self.mixed))
        var keys: [String] = []
        while let frame = try framer.nextFrame() {
            if let entry = SyslogParser.parse(frame.readableBytesView, receivedAt: receivedAt) { keys.append(entry.routingKey) }
        }
        #expect(keys == ["local1.notice", "local1.notice", "local1.info", "kern.alert", "kern.alert", "user.notice", "user.notice"])
    }

    @Test func frameOf64KiBComesOutIntactInBothFramings() throws {
        var random = SeededGenerator(seed: 64)
        let payload = (0..<65536).map { _ in UInt8.random(in: 0x21...0x7E, using: &random) }
        let stream = Array("65536 ".utf8) + payload + payload + [0x0A] + payload + [0x0D, 0x0A]
        var framer = SyslogTCPFramer()
        var got: [[UInt8]] = []
        var index = 0
        while index < stream.count {  // chunks like a socket's reads
            let size = Int.random(in: 1...9000, using: &random)
            framer.append(ByteBuffer(bytes: stream[index..<min(index + size, stream.count)]))
            index += size
            while let frame = try framer.nextFrame() { got.append(frame.bytes) }
        }
        #expect(got.count == 3)
        #expect(got.allSatisfy { $0 == payload })
        #expect(framer.finish() == nil)
    }

    @Test func lineOfExactlyTheMaximumWaitsForLFAfterCR() throws {
        var framer = SyslogTCPFramer(maxMessageSize: 8)
        framer.append(ByteBuffer(string: "abcdefgh\r"))
        #expect(try framer.nextFrame() == nil)
        framer.append(ByteBuffer(string: "\n"))
        #expect(try framer.nextFrame()?.text == "abcdefgh")
    }

    @Test func octetCountOfExactlyTheMaximumIsAccepted() throws {
        #expect(try frames("8 abcdefgh8 12345678", maxMessageSize: 8) == ["abcdefgh", "12345678"])
    }

    @Test func incompleteFramesWait() throws {
        var framer = SyslogTCPFramer()
        framer.append(ByteBuffer(string: "11"))
        #expect(try framer.nextFrame() == nil)
        framer.append(ByteBuffer(string: " <13>abc"))
        #expect(try framer.nextFrame() == nil)
        framer.append(ByteBuffer(string: "defgno LF yet"))
        #expect(try framer.nextFrame()?.text == "<13>abcdefg")
        #expect(try framer.nextFrame() == nil)
        framer.append(ByteBuffer(string: "\n"))
        #expect(try framer.nextFrame()?.text == "no LF yet")
        #expect(try framer.nextFrame() == nil)
    }

    @Test(arguments: [
        ("65537 x", 65536, SyslogFramingError.frameTooLarge(65537)),
        ("9 123456789", 8, .frameTooLarge(9)),
        ("123456789012", 65536, .frameTooLarge(123_456)),  // no SP yet, but already too large
        ("99999999999999999999999999 x", 65536, .frameTooLarge(99_999)),  // refused at the first digit over
        ("abcdefghi", 8, .frameTooLarge(9)),
        ("abcdefghi\n", 8, .frameTooLarge(9)),
        ("abcdefgh\rx", 8, .frameTooLarge(10)),
        ("0 x", 65536, .badOctetCount),
        ("012 <13>abcdefghi", 65536, .badOctetCount),
        ("12x <13>abc", 65536, .badOctetCount),
        ("12\n<13>abc", 65536, .badOctetCount),
        ("2026-11-23 starts with a digit\n", 65536, .badOctetCount),
        ("3 abc12x", 65536, .badOctetCount),  // the second frame is broken
    ])
    func brokenFramingThrows(stream: String, maxMessageSize: Int, expected: SyslogFramingError) {
        #expect(throws: expected) { try frames(stream, maxMessageSize: maxMessageSize) }
    }

    @Test func aMegabyteOfDigitsIsRefusedAtTheFirstDigitOverTheMaximum() {
        var framer = SyslogTCPFramer(maxMessageSize: 65536)
        framer.append(ByteBuffer(repeating: UInt8(ascii: "9"), count: 1 << 20))
        #expect(throws: SyslogFramingError.frameTooLarge(99_999)) { try framer.nextFrame() }
    }

    @Test func pendingBytesAreTheIncompleteFrame() throws {
        var framer = SyslogTCPFramer(maxMessageSize: 100)
        framer.append(ByteBuffer(string: "<13>done\n<13>part"))
        #expect(try framer.nextFrame()?.text == "<13>done")
        #expect(try framer.nextFrame() == nil)
        #expect(framer.pendingBytes == 8)
        framer.append(ByteBuffer(string: "ial\n"))
        #expect(try framer.nextFrame()?.text == "<13>partial")
        #expect(framer.pendingBytes == 0)
    }

    @Test func errorsRepeatUntilTheConnectionIsDropped() {
        var framer = SyslogTCPFramer()
        framer.append(ByteBuffer(string: "3 abc0 x"))
        #expect((try? framer.nextFrame())?.text == "abc")
        #expect(throws: SyslogFramingError.badOctetCount) { try framer.nextFrame() }
        #expect(throws: SyslogFramingError.badOctetCount) { try framer.nextFrame() }
    }

    @Test func finishReturnsTheUnterminatedLine() throws {
        #expect(try frames("<13>a\n<13>partial") == ["<13>a", "EOF:<13>partial"])
        #expect(try frames("<13>a\n") == ["<13>a"])
        #expect(try frames("") == [])

        var framer = SyslogTCPFramer()
        framer.append(ByteBuffer(string: "rest"))
        #expect(framer.finish() == .line(ByteBuffer(string: "rest")))
        #expect(framer.finish() == nil)
    }

    /// An octet-counted frame cut off by the close is never returned truncated (rsyslog drops it too).
    @Test func finishDropsAnOctetCountedFrameCutShort() throws {
        #expect(try frames("<13>a\n20 <13>cut off") == ["<13>a", "DROPPED:14"])
        #expect(try frames("<13>a\n20") == ["<13>a", "DROPPED:2"])
        #expect(try frames("5 ") == ["DROPPED:2"])
        #expect(try frames("5 <1>x") == ["DROPPED:6"])
        #expect(try frames("4 <1>x") == ["<1>x"])
    }

    @Test func manySmallFramesAcrossAppends() throws {
        var framer = SyslogTCPFramer(maxMessageSize: 100)
        var count = 0
        for index in 0..<20_000 {
            framer.append(ByteBuffer(string: index.isMultiple(of: 2) ? "<13>line \(index)\n" : "9 <13>octet"))
            while let frame = try framer.nextFrame() {
                #expect(frame.readableBytes <= 100)
                count += 1
            }
        }
        #expect(count == 20_000)
    }
}
