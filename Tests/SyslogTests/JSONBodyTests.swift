import Foundation
import NIOCore
import Testing

@testable import Syslog

/// The AMQP JSON body: exactly the 11 keys, in order, with nulls for absent fields.
@Suite struct JSONBodyTests {
    static let keys = ["timestamp", "received_at", "facility", "severity", "hostname", "app_name", "procid",
                       "msgid", "structured_data", "message", "peer"]

    func object(_ entry: LogEntry, receivedAt date: Date = receivedAt, peer: String = "[IPv4]127.0.0.1/127.0.0.1:5514") throws
        -> [String: Any]
    {
        let body = entry.jsonBody(receivedAt: date, peer: peer)
        return try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }

    @Test func rfc3164EntryHasNullsForWhatItLacks() throws {
        let parsed = try #require(parse("<13>Nov 23 10:00:00 myhost root: hello"))
        let json = try object(parsed)
        #expect(Set(json.keys) == Set(Self.keys))
        #expect(json["timestamp"] as? String == "2026-11-23T10:00:00Z")
        #expect(json["received_at"] as? String == "2026-11-23T12:00:00.000Z")
        #expect(json["facility"] as? String == "user")
        #expect(json["severity"] as? String == "notice")
        #expect(json["hostname"] as? String == "myhost")
        #expect(json["app_name"] as? String == "root")
        #expect(json["procid"] is NSNull)
        #expect(json["msgid"] is NSNull)
        #expect(json["structured_data"] is NSNull)
        #expect(json["message"] as? String == "hello")
        #expect(json["peer"] as? String == "[IPv4]127.0.0.1/127.0.0.1:5514")
    }

    @Test func repairedEntryHasNullHeaderFields() throws {
        let json = try object(try #require(parse("no pri")))
        #expect(Set(json.keys) == Set(Self.keys))
        for key in ["timestamp", "hostname", "app_name", "procid", "msgid", "structured_data"] {
            #expect(json[key] is NSNull, "\(key)")
        }
        #expect(json["message"] as? String == "no pri")
    }

    @Test func rfc5424EntryWithStructuredData() throws {
        let parsed = try #require(parse(#"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 42 ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] hi"#))
        let json = try object(parsed)
        #expect(Set(json.keys) == Set(Self.keys))
        #expect(json["timestamp"] as? String == "2003-10-11T22:14:15.003Z")
        #expect(json["procid"] as? String == "42")
        #expect(json["msgid"] as? String == "ID47")
        let sd = try #require(json["structured_data"] as? [String: [String: String]])
        #expect(sd == ["exampleSDID@32473": ["iut": "3", "eventSource": "Application", "eventID": "1011"],
                       "examplePriority@32473": ["class": "high"]])
    }

    @Test func keysComeInTheDocumentedOrder() throws {
        let parsed = try #require(parse(#"<13>1 - - - - - [a@1 x="1"] m"#))
        let text = parsed.jsonBody(receivedAt: receivedAt, peer: "p").text
        let positions = Self.keys.map { text.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(text.hasPrefix(#"{"timestamp":null,"received_at":"2026-11-23T12:00:00.000Z","facility":"user""#))
        #expect(text.hasSuffix(#""structured_data":{"a@1":{"x":"1"}},"message":"m","peer":"p"}"#))
    }

    @Test func emptyStructuredElementIsAnEmptyObject() throws {
        let json = try object(try #require(parse("<13>1 - - - - - [a@1] m")))
        #expect((json["structured_data"] as? [String: [String: String]]) == ["a@1": [:]])
    }

    @Test func repeatedNamesBecomeArraysAndRepeatedIDsMerge() throws {
        let parsed = try #require(parse(#"<13>1 - - - - - [origin ip="192.0.2.1" ip="192.0.2.129" software="x"][origin enterpriseId="1"] m"#))
        let json = try object(parsed)
        let origin = try #require((json["structured_data"] as? [String: Any])?["origin"] as? [String: Any])
        #expect(origin["ip"] as? [String] == ["192.0.2.1", "192.0.2.129"])
        #expect(origin["software"] as? String == "x")
        #expect(origin["enterpriseId"] as? String == "1")
        #expect(origin.count == 3)
    }

    @Test func stringsAreEscapedAndRoundTrip() throws {
        let message = "quote\" backslash\\ nl\n cr\r tab\t nul\0 bell\u{07} del\u{7F} ü ✓ 😀 \u{2028} </script>"
        let entry = LogEntry(facility: .local7, severity: .debug, hostname: "h\"", appName: "a\\", procID: "\n",
                             msgID: "\u{01}", structuredData: [element("id\"", ["k\\": "v\"\n"])], message: message)
        let json = try object(entry, peer: "peer\"\n")
        #expect(json["message"] as? String == message)
        #expect(json["hostname"] as? String == "h\"")
        #expect(json["app_name"] as? String == "a\\")
        #expect(json["procid"] as? String == "\n")
        #expect(json["msgid"] as? String == "\u{01}")
        #expect(json["peer"] as? String == "peer\"\n")
        #expect((json["structured_data"] as? [String: [String: String]]) == ["id\"": ["k\\": "v\"\n"]])
        let text = entry.jsonBody(receivedAt: receivedAt, peer: "p").text
        #expect(text.contains(#"nul\u0000 bell\u0007"#))
        #expect(!text.contains("\n"))
    }

    /// Foundation's JSONSerialization drops a raw U+FEFF in a string with escapes; written as `\ufeff` it survives.
    @Test func byteOrderMarkIsEscaped() throws {
        let message = "\u{FEFF}start \"q\"\u{FEFF} mid\n\u{FEFF}"
        let logEntry = entry(1, 5, message: message)
        #expect(try object(logEntry)["message"] as? String == message)
        let text = logEntry.jsonBody(receivedAt: receivedAt, peer: "p").text
        #expect(text.contains(#""message":"\ufeffstart \"q\"\ufeff mid\n\ufeff""#))
    }

    @Test func replacementCharactersFromInvalidUTF8AreValidJSON() throws {
        let parsed = try #require(parse(bytes: Array("<13>1 - - - - - - ".utf8) + [0xFF, 0xFE, 0x41]))
        #expect(try object(parsed)["message"] as? String == "\u{FFFD}\u{FFFD}A")
    }

    @Test(arguments: [
        (1_795_435_200.25, "2026-11-23T12:00:00.250Z"),
        (1_795_435_200.9999, "2026-11-23T12:00:00.999Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z"),
        (253_402_300_799, "9999-12-31T23:59:59.000Z"),
        (1e300, "9999-12-31T23:59:59.999Z"),
        (-1e300, "0000-01-01T00:00:00.000Z"),
    ])
    func receivedAtIsUTCWithMilliseconds(epoch: Double, expected: String) throws {
        let json = try object(entry(1, 5, message: "x"), receivedAt: Date(timeIntervalSince1970: epoch))
        #expect(json["received_at"] as? String == expected)
    }
}
