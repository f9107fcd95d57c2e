/// RFC 3339 `date-time` (`2003-10-11T22:14:15.003Z`, `...-07:00`) as syslog senders write it.
enum RFC3339Timestamp {
    /// How strictly the text is read.
    enum Profile {
        /// RFC 5424 §6.2.3: upper-case `T`/`Z`, at most 6 fraction digits, no leap second.
        case rfc5424
        /// Plain RFC 3339 (rsyslog, Go's log/syslog in 3164 framing): any case, any fraction length.
        case rfc3339
    }

    /// nil when `token` is not shaped like a date-time; the text as sent (`t`/`z` upper-cased) otherwise.
    static func parse(_ token: ArraySlice<UInt8>, profile: Profile) -> TimestampField? {
        var scanner = ByteScanner(Array(token))
        guard let year = scanner.readDigits(4), scanner.consume(ASCII.minus),
              let month = scanner.readDigits(2), scanner.consume(ASCII.minus),
              let day = scanner.readDigits(2), consumeLetter("T", &scanner, profile),
              let hour = scanner.readDigits(2), scanner.consume(ASCII.colon),
              let minute = scanner.readDigits(2), scanner.consume(ASCII.colon),
              let second = scanner.readDigits(2)
        else { return nil }
        if scanner.consume(ASCII.dot) {
            var fractionDigits = 0
            while let byte = scanner.peek, ASCII.isDigit(byte) {
                fractionDigits += 1
                scanner.advance()
            }
            guard fractionDigits >= 1, profile == .rfc3339 || fractionDigits <= 6 else { return nil }
        }
        var offsetInRange = true
        if !consumeLetter("Z", &scanner, profile) {
            guard scanner.consume(ASCII.plus) || scanner.consume(ASCII.minus),
                  let offsetHour = scanner.readDigits(2), scanner.consume(ASCII.colon),
                  let offsetMinute = scanner.readDigits(2)
            else { return nil }
            offsetInRange = offsetHour <= 23 && offsetMinute <= 59
        }
        guard scanner.isAtEnd else { return nil }

        let maximumSecond = profile == .rfc5424 ? 59 : 60
        guard offsetInRange, (1...12).contains(month), day >= 1, day <= UTCCalendar.daysInMonth(month, year: year),
              hour <= 23, minute <= 59, second <= maximumSecond
        else { return .unusable }
        return .usable(String(decoding: token.map(upperCasingTZ), as: UTF8.self))
    }

    private static func consumeLetter(_ letter: Unicode.Scalar, _ scanner: inout ByteScanner, _ profile: Profile) -> Bool {
        let upper = UInt8(letter.value)
        return scanner.consume(upper) || (profile == .rfc3339 && scanner.consume(upper | 0x20))
    }

    private static func upperCasingTZ(_ byte: UInt8) -> UInt8 { byte == 0x74 || byte == 0x7A ? byte & ~0x20 : byte }
}
