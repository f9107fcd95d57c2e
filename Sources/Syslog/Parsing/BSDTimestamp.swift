import Foundation

/// The RFC 3164 TIMESTAMP `Mmm dd hh:mm:ss`: no year and no zone, so it is read as UTC in the
/// year it was most likely sent (receivedAt's, or the one before if that is over a day ahead).
enum BSDTimestamp {
    /// Reads a timestamp at the scanner (day space-padded, zero-padded or unpadded); nil, with
    /// nothing consumed, when the bytes there are not one. It must end at a space or the frame end.
    static func parse(_ scanner: inout ByteScanner, receivedAt: Date) -> TimestampField? {
        var reader = scanner
        guard let month = readMonth(&reader), reader.consume(ASCII.space) else { return nil }
        let day: Int
        if reader.consume(ASCII.space) {
            guard let digit = reader.readDigits(1) else { return nil }
            day = digit
        } else if let twoDigits = reader.readDigits(2) {
            day = twoDigits
        } else if let digit = reader.readDigits(1) {
            day = digit
        } else {
            return nil
        }
        guard reader.consume(ASCII.space),
              let hour = reader.readDigits(2), reader.consume(ASCII.colon),
              let minute = reader.readDigits(2), reader.consume(ASCII.colon),
              let second = reader.readDigits(2),
              reader.isAtEnd || reader.peek == ASCII.space
        else { return nil }
        scanner = reader
        guard day >= 1, hour <= 23, minute <= 59, second <= 60,
              let year = inferYear(month: month, day: day, hour: hour, minute: minute, second: second, receivedAt: receivedAt)
        else { return .unusable }
        return .usable(UTCCalendar.iso8601(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    private static func inferYear(month: Int, day: Int, hour: Int, minute: Int, second: Int, receivedAt: Date) -> Int? {
        let received = UTCCalendar.epochSeconds(receivedAt).seconds
        let thisYear = UTCCalendar.year(of: receivedAt)
        if day <= UTCCalendar.daysInMonth(month, year: thisYear) {
            let seconds = UTCCalendar.days(year: thisYear, month: month, day: day) * 86_400
                + hour * 3600 + minute * 60 + second
            if seconds <= received + 86_400 { return thisYear }
        }
        return day <= UTCCalendar.daysInMonth(month, year: thisYear - 1) ? thisYear - 1 : nil
    }

    private static let months: [[UInt8]] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }

    private static func readMonth(_ scanner: inout ByteScanner) -> Int? {
        let start = scanner.position
        guard start + 3 <= scanner.bytes.count,
              let index = months.firstIndex(where: { $0[...] == scanner.bytes[start..<start + 3] })
        else { return nil }
        scanner.advance(by: 3)
        return index + 1
    }
}
