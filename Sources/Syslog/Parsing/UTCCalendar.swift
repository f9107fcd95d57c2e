import Foundation

/// Proleptic Gregorian date arithmetic and ISO 8601 formatting in UTC, without Foundation's
/// Calendar or formatters (cheap, Sendable, and total over any input).
enum UTCCalendar {
    static func isLeapYear(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// Days in `month` (1...12) of `year`; 0 for a month out of range.
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeapYear(year) ? 29 : 28
        default: 0
        }
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Whole seconds since the epoch, clamped to years 0000...9999 (so no conversion can trap).
    static func epochSeconds(_ date: Date) -> (seconds: Int, milliseconds: Int) {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite else { return (0, 0) }
        if interval >= endEpoch { return (Int(endEpoch) - 1, 999) }
        if interval < startEpoch { return (Int(startEpoch), 0) }
        let whole = interval.rounded(.down)
        return (Int(whole), min(Int(((interval - whole) * 1000).rounded(.down)), 999))
    }

    static func year(of date: Date) -> Int {
        let seconds = epochSeconds(date).seconds
        return civil(days: floorDivide(seconds, 86_400)).year
    }

    /// `YYYY-MM-DDThh:mm:ss.sssZ`.
    static func iso8601Milliseconds(_ date: Date) -> String {
        let (seconds, milliseconds) = epochSeconds(date)
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(days: days)
        return iso8601(year: year, month: month, day: day, hour: secondOfDay / 3600,
                       minute: secondOfDay / 60 % 60, second: secondOfDay % 60, milliseconds: milliseconds)
    }

    /// `YYYY-MM-DDThh:mm:ssZ`, or with `.sss` when `milliseconds` is given.
    static func iso8601(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                        milliseconds: Int? = nil) -> String {
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += "T" + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2)
        if let milliseconds { text += "." + pad(milliseconds, 3) }
        return text + "Z"
    }

    /// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z.
    private static let startEpoch = Double(days(year: 0, month: 1, day: 1) * 86_400)
    private static let endEpoch = Double(days(year: 10_000, month: 1, day: 1) * 86_400)

    private static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
