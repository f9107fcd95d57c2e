import Hummingbird

/// The sample ranges a request asks for: `msg_rates_age`/`msg_rates_incr` for message counters,
/// `lengths_age`/`lengths_incr` for queue lengths (RabbitMQ's query parameters).
struct RateQuery {
    var messages: SampleRange?
    var lengths: SampleRange?

    static let none = RateQuery()

    /// 400 when a range is half given, not whole seconds, or too many increments long.
    static func parse(_ request: Request) throws -> RateQuery {
        let query = request.uri.queryParameters
        func range(_ prefix: String) throws -> SampleRange? {
            try SampleRange.parse(age: query["\(prefix)_age"].map(String.init), increment: query["\(prefix)_incr"].map(String.init),
                                  prefix: prefix, retention: MessageRates.overviewRetention)
        }
        return RateQuery(messages: try range("msg_rates"), lengths: try range("lengths"))
    }
}
