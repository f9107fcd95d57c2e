import Foundation
import NIOCore
import Testing

@testable import Syslog

/// Byte-level handling: trailer stripping, blank frames, invalid UTF-8, the BOM, input collection types.
@Suite struct FrameBytesTests {
    static let cases: [GoldenCase] = [
        GoldenCase("trailing LF", "<13>Nov 23 10:00:00 h a: x\n",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "h", appName: "a", message: "x")),
        GoldenCase("trailing CR LF", "<13>Nov 23 10:00:00 h a: x\r\n",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "h", appName: "a", message: "x")),
        GoldenCase("trailing NUL", "<13>Nov 23 10:00:00 h a: x\0",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "h", appName: "a", message: "x")),
        GoldenCase("mixed trailers", "<13>1 - - - - - - x\r\n\0\n\r\0",
                   entry(1, 5, message: "x")),
        GoldenCase("trailing spaces and tabs are kept", "<13>1 - - - - - - x \t ",
                   entry(1, 5, message: "x \t ")),
        GoldenCase("inner CR, LF and NUL are kept", "<13>Nov 23 10:00:00 h a: line1\r\nline2\0end",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "h", appName: "a", message: "line1\r\nline2\0end")),
        GoldenCase("repaired frame is stripped too", "no pri\r\n", entry(1, 5, message: "no pri", repaired: true)),
        GoldenCase("leading LF is part of a repaired message", "\n<13>x", entry(1, 5, message: "\n<13>x", repaired: true)),
        GoldenCase("empty", "", nil),
        GoldenCase("LF", "\n", nil),
        GoldenCase("CR LF", "\r\n", nil),
        GoldenCase("NULs", "\0\0\0", nil),
        GoldenCase("whitespace", " \t \u{0B}\u{0C} \r\n", nil),
        GoldenCase("invalid UTF-8 in a 3164 message",
                   bytes: Array("<13>Nov 23 10:00:00 h a: bad ".utf8) + [0xFF, 0xC3, 0x28] + Array(" end".utf8),
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "h", appName: "a", message: "bad \u{FFFD}\u{FFFD}( end")),
        GoldenCase("invalid UTF-8 in a 3164 hostname",
                   bytes: Array("<13>Nov 23 10:00:00 h".utf8) + [0xE2, 0x82] + Array(" a: x".utf8),
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "h\u{FFFD}", appName: "a", message: "x")),
        GoldenCase("invalid UTF-8 in a 5424 message",
                   bytes: Array("<13>1 - - - - - - ".utf8) + [0xEF, 0xBB, 0xBF, 0xF0, 0x9F, 0x98] + Array("!".utf8),
                   entry(1, 5, message: "\u{FFFD}!")),
        GoldenCase("invalid UTF-8 in a repaired frame", bytes: [0x80, 0x41],
                   entry(1, 5, message: "\u{FFFD}A", repaired: true)),
        GoldenCase("5424 BOM removed", bytes: Array("<13>1 - - - - - - ".utf8) + [0xEF, 0xBB, 0xBF] + Array("héllo".utf8),
                   entry(1, 5, message: "héllo")),
        GoldenCase("5424 only one BOM removed", "<13>1 - - - - - - \u{FEFF}\u{FEFF}x",
                   entry(1, 5, message: "\u{FEFF}x")),
        GoldenCase("5424 BOM alone", "<13>1 - - - - - - \u{FEFF}", entry(1, 5, message: "")),
        GoldenCase("3164 BOM kept", "<13>Nov 23 10:00:00 h a: \u{FEFF}x",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "h", appName: "a", message: "\u{FEFF}x")),
    ]

    @Test(arguments: cases)
    func golden(_ testCase: GoldenCase) {
        #expect(parse(bytes: testCase.frame) == testCase.expected)
    }

    @Test func acceptsAnyByteCollection() {
        let text = "<13>Nov 23 10:00:00 myhost root: hello"
        let expected = parse(text)
        #expect(expected != nil)
        let buffer = ByteBuffer(string: "xx" + text + "yy")
        var slice = buffer
        slice.moveReaderIndex(forwardBy: 2)
        slice.moveWriterIndex(to: slice.writerIndex - 2)
        #expect(SyslogParser.parse(slice.readableBytesView, receivedAt: receivedAt) == expected)
        let array = Array(("__" + text).utf8)
        #expect(SyslogParser.parse(array[2...], receivedAt: receivedAt) == expected)
        #expect(SyslogParser.parse(text.utf8, receivedAt: receivedAt) == expected)
        #expect(SyslogParser.parse(Data(text.utf8), receivedAt: receivedAt) == expected)
    }

    @Test func messageOf64KiBIsKeptWhole() {
        let text = String(repeating: "x", count: 65_536)
        #expect(parse("<134>1 2026-11-23T10:00:00Z host app - - - " + text)?.message == text)
        #expect(parse("<134>Nov 23 10:00:00 host app: " + text)?.message == text)
    }
}
