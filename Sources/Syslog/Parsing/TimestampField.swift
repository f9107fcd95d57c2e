/// A TIMESTAMP field that has the right shape: usable (normalized RFC 3339 text) or naming
/// a date or time that does not exist (month 13, Feb 30, 25:00), which is kept as nil.
enum TimestampField: Equatable {
    case usable(String)
    case unusable

    var value: String? {
        if case .usable(let text) = self { return text }
        return nil
    }
}
