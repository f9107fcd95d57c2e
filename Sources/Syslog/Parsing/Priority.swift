/// The PRI part `<N>` (RFC 5424 §6.2.1): 1-3 digits, no leading zeros except `<0>`, N ≤ 191.
struct Priority: Equatable {
    let facility: Facility
    let severity: Severity

    init(facility: Facility, severity: Severity) {
        self.facility = facility
        self.severity = severity
    }

    /// Reads a valid PRI at the scanner; nil (nothing consumed) when there is none.
    static func parse(_ scanner: inout ByteScanner) -> Priority? {
        var reader = scanner
        guard reader.consume(ASCII.lessThan) else { return nil }
        var value = 0
        var digits = 0
        while let byte = reader.peek, ASCII.isDigit(byte) {
            if digits == 3 || (digits == 1 && value == 0) { return nil }  // too long, or a leading zero
            value = value * 10 + Int(byte - ASCII.zero)
            digits += 1
            reader.advance()
        }
        guard digits > 0, value <= 191, reader.consume(ASCII.greaterThan) else { return nil }
        scanner = reader
        return Priority(facility: Facility(uncheckedRawValue: UInt8(value / 8)),
                        severity: Severity(uncheckedRawValue: UInt8(value % 8)))
    }

    /// RFC 3164 §4.3.3: what a message without a valid PRI is taken to be.
    static let repairDefault = Priority(facility: .user, severity: .notice)
}
