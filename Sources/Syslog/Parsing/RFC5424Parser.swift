/// The RFC 5424 header after the PRI:
/// `1 SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]`.
enum RFC5424Parser {
    /// nil when what follows the PRI is not a valid RFC 5424 header (the caller then reads it as 3164).
    static func parse(_ bytes: [UInt8], from start: Int, priority: Priority) -> LogEntry? {
        var scanner = ByteScanner(bytes, position: start)
        guard scanner.consume(0x31), scanner.consume(ASCII.space) else { return nil }  // VERSION "1"

        let timestampToken = scanner.readToken()
        let timestamp: TimestampField?
        if isNil(timestampToken) {
            timestamp = nil
        } else {
            guard let parsed = RFC3339Timestamp.parse(timestampToken, profile: .rfc5424) else { return nil }
            timestamp = parsed
        }
        guard scanner.consume(ASCII.space),
              let hostname = readField(&scanner, maxLength: 255), scanner.consume(ASCII.space),
              let appName = readField(&scanner, maxLength: 48), scanner.consume(ASCII.space),
              let procID = readField(&scanner, maxLength: 128), scanner.consume(ASCII.space),
              let msgID = readField(&scanner, maxLength: 32), scanner.consume(ASCII.space)
        else { return nil }

        let structuredData: [StructuredElement]?
        if scanner.consume(ASCII.minus) {
            structuredData = nil
        } else {
            guard let elements = StructuredDataParser.parse(&scanner) else { return nil }
            structuredData = elements
        }
        guard scanner.isAtEnd || scanner.consume(ASCII.space) else { return nil }

        var message = scanner.rest
        if message.starts(with: utf8BOM) { message = message.dropFirst(utf8BOM.count) }
        return LogEntry(facility: priority.facility, severity: priority.severity, timestamp: timestamp?.value,
                        hostname: hostname.value, appName: appName.value, procID: procID.value, msgID: msgID.value,
                        structuredData: structuredData, message: message.text)
    }

    /// A header field: NILVALUE (`.some(nil)`) or 1...maxLength PRINTUSASCII; nil when invalid.
    private static func readField(_ scanner: inout ByteScanner, maxLength: Int) -> Field? {
        let token = scanner.readToken()
        guard (1...maxLength).contains(token.count), token.allSatisfy(ASCII.isPrintUSASCII) else { return nil }
        return Field(value: isNil(token) ? nil : token.text)
    }

    private struct Field { let value: String? }

    private static func isNil(_ token: ArraySlice<UInt8>) -> Bool { token.count == 1 && token.first == ASCII.minus }

    private static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]
}
