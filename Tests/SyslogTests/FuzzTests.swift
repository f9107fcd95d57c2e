import Foundation
import NIOCore
import Testing
import TestSupport

@testable import Syslog

/// Seeded random inputs: the parser and the framer must never trap, and must keep their invariants.
@Suite struct FuzzTests {
    static let fragments: [[UInt8]] = [
        "<", ">", "<13>", "<191>", "<0>", "<192>", "1 ", "- ", "[", "]", "\"", "\\", "=", " ", ":", "[12]", "\n",
        "\r", "\0", "Nov ", "Feb 29 ", " 3 ", "10:00:00 ", "2026-11-23T10:00:00.123+01:00 ", "2003-02-30T00:00:00Z ",
        "host ", "app: ", "app[1]: ", "[id a=\"b\"]", "\u{FEFF}", "ü", "9999999999 ", "0 ", "5 ", "65536 ",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98, 0x80], [0xEF, 0xBB]]

    static func randomFrame(_ random: inout SeededGenerator) -> [UInt8] {
        var frame: [UInt8] = []
        for _ in 0..<Int.random(in: 0...24, using: &random) {
            if Bool.random(using: &random) {
                frame += fragments.randomElement(using: &random)!
            } else {
                frame += (0..<Int.random(in: 1...6, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        }
        return frame
    }

    static let validFrames = [
        "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \u{FEFF}'su root' failed",
        #"<165>1 2003-10-11T22:14:15.003Z h evntslog - ID47 [exampleSDID@32473 iut="3" a="\"\\\]"][p@1 class="high"] x"#,
        "<13>Nov  3 10:00:00 myhost root[12]: hello",
        "<134>2026-11-23T10:00:00.123+01:00 host tag[1]: msg",
    ].map { Array($0.utf8) }

    static let dates = [receivedAt, Date(timeIntervalSince1970: 0), .distantPast, .distantFuture,
                        Date(timeIntervalSince1970: -1e18), Date(timeIntervalSince1970: .infinity),
                        Date(timeIntervalSince1970: .nan), Date(timeIntervalSince1970: 951_868_800)]

    static func checkInvariants(_ frame: [UInt8], at date: Date) throws {
        var stripped = frame
        while let last = stripped.last, [0x0D, 0x0A, 0x00].contains(last) { stripped.removeLast() }
        let blank = stripped.allSatisfy { [0x20, 0x09, 0x0A, 0x0D, 0x00, 0x0B, 0x0C].contains($0) }
        guard let entry = SyslogParser.parse(frame, receivedAt: date) else {
            #expect(blank, "nil for a non-blank frame \(frame)")
            return
        }
        #expect(!blank, "entry for a blank frame \(frame)")
        #expect(entry.routingKey == "\(entry.facility.name).\(entry.severity.name)")
        #expect(entry.message.utf8.count <= frame.count * 3)
        if entry.repaired {
            #expect(entry.timestamp == nil && entry.hostname == nil && entry.appName == nil && entry.structuredData == nil)
        }
        let body = entry.jsonBody(receivedAt: date, peer: "fuzz")
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        #expect(json?.count == 11)
        #expect(json?["message"] as? String == entry.message)
    }

    @Test func parserSurvivesRandomFrames() throws {
        var random = SeededGenerator(seed: 5424)
        for round in 0..<20_000 {
            let frame = Self.randomFrame(&random)
            try Self.checkInvariants(frame, at: Self.dates[round % Self.dates.count])
        }
    }

    @Test func parserSurvivesMutatedValidFrames() throws {
        var random = SeededGenerator(seed: 3164)
        for round in 0..<20_000 {
            var frame = Self.validFrames.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0...frame.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: frame.insert(contentsOf: Self.fragments.randomElement(using: &random)!, at: index)
                case 1: if index < frame.count { frame.remove(at: index) }
                default: if index < frame.count { frame[index] = UInt8.random(in: 0...255, using: &random) }
                }
            }
            try Self.checkInvariants(frame, at: Self.dates[round % Self.dates.count])
        }
    }

    @Test func framerSurvivesRandomStreams() {
        var random = SeededGenerator(seed: 6587)
        for _ in 0..<3_000 {
            let maxMessageSize = Int.random(in: 1...64, using: &random)
            var framer = SyslogTCPFramer(maxMessageSize: maxMessageSize)
            var failed = false
            for _ in 0..<Int.random(in: 1...8, using: &random) where !failed {
                framer.append(ByteBuffer(bytes: Self.randomFrame(&random)))
                do {
                    while let frame = try framer.nextFrame() {
                        #expect(frame.readableBytes <= maxMessageSize)
                        _ = SyslogParser.parse(frame.readableBytesView, receivedAt: receivedAt)
                    }
                } catch {
                    failed = true
                }
            }
            if case .line(let rest)? = framer.finish() { #expect(rest.readableBytes <= maxMessageSize) }
        }
    }

    /// Random messages framed at random (octet-counted or LF) and cut at random come out unchanged.
    @Test func framerRoundTripsRandomMessages() throws {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            var messages: [[UInt8]] = []
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 1...20, using: &random) {
                var message = Self.randomFrame(&random)
                if Bool.random(using: &random) {
                    if message.isEmpty { message = [0x3C] }
                    stream += Array("\(message.count) ".utf8) + message
                } else {
                    message.removeAll { $0 == 0x0A }
                    while message.last == 0x0D { message.removeLast() }
                    if message.first.map(ASCII.isDigit) == true { message.insert(0x3C, at: 0) }
                    stream += message + (Bool.random(using: &random) ? [0x0D, 0x0A] : [0x0A])
                }
                messages.append(message)
            }
            var framer = SyslogTCPFramer()
            var got: [[UInt8]] = []
            var index = 0
            while index < stream.count {
                let size = Int.random(in: 1...40, using: &random)
                framer.append(ByteBuffer(bytes: stream[index..<min(index + size, stream.count)]))
                index += size
                while let frame = try framer.nextFrame() { got.append(frame.bytes) }
            }
            #expect(got == messages)
            #expect(framer.finish() == nil)
        }
    }
}
