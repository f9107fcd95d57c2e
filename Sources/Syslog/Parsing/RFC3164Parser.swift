import Foundation

/// The RFC 3164 header after the PRI: `TIMESTAMP SP [HOSTNAME SP] [TAG] MSG`, where TIMESTAMP is
/// `Mmm dd hh:mm:ss` or, as rsyslog and Go's log/syslog send, an RFC 3339 date-time.
enum RFC3164Parser {
    /// nil when no usable header follows the PRI: the caller repairs (§4.3.2). A timestamp that has the
    /// shape but names no real time (`Oct 11 24:14:15`, `Feb 30`, minute 60) is no usable header either,
    /// so the whole line after the PRI is kept as the message, as rsyslog does.
    static func parse(_ bytes: [UInt8], from start: Int, priority: Priority, receivedAt: Date) -> LogEntry? {
        var scanner = ByteScanner(bytes, position: start)
        guard let timestamp = readTimestamp(&scanner, receivedAt: receivedAt)?.value else { return nil }
        scanner.skipSpaces()

        // The token after the timestamp is the HOSTNAME unless it looks like the TAG.
        var hostname: String?
        var lookahead = scanner
        let token = lookahead.readToken()
        if !token.isEmpty, token.last != ASCII.colon, !token.contains(ASCII.openBracket) {
            hostname = token.text
            scanner = lookahead
            _ = scanner.consume(ASCII.space)
        }
        let tag = SyslogTag.parse(&scanner)
        return LogEntry(facility: priority.facility, severity: priority.severity, timestamp: timestamp,
                        hostname: hostname, appName: tag?.name, procID: tag?.pid, message: scanner.rest.text)
    }

    private static func readTimestamp(_ scanner: inout ByteScanner, receivedAt: Date) -> TimestampField? {
        if let classic = BSDTimestamp.parse(&scanner, receivedAt: receivedAt) { return classic }
        var reader = scanner
        guard let first = reader.peek, ASCII.isDigit(first),
              let rfc3339 = RFC3339Timestamp.parse(reader.readToken(), profile: .rfc3339)
        else { return nil }
        scanner = reader
        return rfc3339
    }
}
