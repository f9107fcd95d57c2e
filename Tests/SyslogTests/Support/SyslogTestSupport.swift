import Foundation
import NIOCore
import Testing

@testable import Syslog

/// 2026-11-23T12:00:00Z: the receive time of every golden case (fixes the year of 3164 timestamps).
let receivedAt = Date(timeIntervalSince1970: 1_795_435_200)

func parse(_ text: String, at date: Date = receivedAt) -> LogEntry? {
    SyslogParser.parse(Array(text.utf8), receivedAt: date)
}

func parse(bytes: [UInt8], at date: Date = receivedAt) -> LogEntry? {
    SyslogParser.parse(bytes, receivedAt: date)
}

/// One input frame and the entry it must produce (nil: the frame is blank).
struct GoldenCase: Sendable, CustomTestStringConvertible {
    let name: String
    let frame: [UInt8]
    let expected: LogEntry?

    init(_ name: String, _ text: String, _ expected: LogEntry?) {
        self.init(name, bytes: Array(text.utf8), expected)
    }

    init(_ name: String, bytes: [UInt8], _ expected: LogEntry?) {
        self.name = name
        self.frame = bytes
        self.expected = expected
    }

    var testDescription: String { name }
}

/// Shorthand for an expected entry.
func entry(_ facility: UInt8, _ severity: UInt8, timestamp: String? = nil, hostname: String? = nil,
           appName: String? = nil, procID: String? = nil, msgID: String? = nil,
           structuredData: [StructuredElement]? = nil, message: String, repaired: Bool = false) -> LogEntry {
    LogEntry(facility: Facility(rawValue: facility)!, severity: Severity(rawValue: severity)!, timestamp: timestamp,
             hostname: hostname, appName: appName, procID: procID, msgID: msgID,
             structuredData: structuredData, message: message, repaired: repaired)
}

func element(_ id: String, _ parameters: KeyValuePairs<String, String> = [:]) -> StructuredElement {
    StructuredElement(id: id, parameters: parameters.map { StructuredParameter(name: $0.key, value: $0.value) })
}


extension ByteBuffer {
    init(_ text: String) { self.init(string: text) }
    var bytes: [UInt8] { Array(readableBytesView) }
    var text: String { String(decoding: readableBytesView, as: UTF8.self) }
}
