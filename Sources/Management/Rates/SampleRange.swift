/// The window of samples a request asks for (`msg_rates_age`/`msg_rates_incr`, or
/// `lengths_age`/`lengths_incr`, in seconds). As RabbitMQ, a window of more than 500 increments
/// is refused; its age is then held to what the history keeps, so no request yields more than
/// 501 samples per value, whatever numbers it sends.
struct SampleRange: Equatable {
    var ageMilliseconds: Int64
    var incrementMilliseconds: Int64

    static let maxIncrements: Int64 = 500

    /// nil when neither is given; 400 (`APIError`, RabbitMQ's text) when one is missing, not whole
    /// seconds, negative, a zero increment, or more than 500 increments.
    static func parse(age: String?, increment: String?, prefix: String, retention: Int64) throws -> SampleRange? {
        guard age != nil || increment != nil else { return nil }
        guard let ageSeconds = age.flatMap({ Int64($0) }), let incrementSeconds = increment.flatMap({ Int64($0) }),
              ageSeconds >= 0, incrementSeconds > 0, ageSeconds / incrementSeconds <= maxIncrements else {
            throw APIError.badRequest("Invalid range parameters: age \(age ?? "undefined"), incr \(increment ?? "undefined")")
        }
        let retentionSeconds = retention / 1000
        return SampleRange(ageMilliseconds: min(ageSeconds, retentionSeconds) * 1000,
                           incrementMilliseconds: min(incrementSeconds, retentionSeconds) * 1000)
    }

    /// The same range with its age held to `retention` (an object keeps less history than the overview).
    func limited(to retention: Int64) -> SampleRange {
        SampleRange(ageMilliseconds: min(ageMilliseconds, retention), incrementMilliseconds: incrementMilliseconds)
    }

    /// The timestamps to report, newest first: `now` rounded down to the increment, back by `age`.
    func timestamps(now: Int64) -> [Int64] {
        let newest = now - now % incrementMilliseconds
        let count = Int(ageMilliseconds / incrementMilliseconds) + 1
        return (0..<count).map { newest - Int64($0) * incrementMilliseconds }
    }
}
