import AMQPWire

/// Which entries a stream consumer receives: RabbitMQ 3.13's filter values (`x-stream-filter`,
/// `x-stream-match-unfiltered`), applied exactly rather than by chunk, and warren's topic
/// patterns on the routing key (`x-warren-match`). Both must admit an entry.
struct StreamFilter {
    /// Filter values wanted; nil takes every entry.
    var values: Set<String>?
    /// With `values`: entries published without a filter value are taken too.
    var matchUnfiltered = false
    /// Topic patterns (`kern.*`, `#.critical`); nil takes every routing key.
    var topics: TopicTrie?

    func admits(_ entry: StreamEntry) -> Bool {
        if let values {
            let taken = entry.filterValue.isEmpty ? matchUnfiltered : values.contains(entry.filterValue)
            guard taken else { return false }
        }
        if let topics {
            var matched: [Destination] = []
            topics.match(entry.routingKey, into: &matched)
            guard !matched.isEmpty else { return false }
        }
        return true
    }

    /// At most this many topic patterns per consumer.
    static let maxPatterns = 64

    /// The filter from basic.consume arguments.
    static func parse(_ arguments: FieldTable) throws(AMQPError) -> StreamFilter {
        var filter = StreamFilter()
        if let value = arguments["x-stream-filter"] {
            filter.values = Set(try strings(value, key: "x-stream-filter"))
        }
        if let value = arguments["x-stream-match-unfiltered"] {
            guard let flag = value.boolValue else { throw invalid("x-stream-match-unfiltered", value) }
            filter.matchUnfiltered = flag
        }
        if let value = arguments["x-warren-match"] {
            let patterns = try strings(value, key: "x-warren-match")
            guard patterns.count <= maxPatterns else {
                throw AMQPError(.preconditionFailed, "x-warren-match takes at most \(maxPatterns) patterns, not \(patterns.count)")
            }
            filter.topics = TopicTrie(bindings: patterns.map { Binding(destination: .queue(""), key: $0) })
        }
        return filter
    }

    /// A string, or an array of strings (either AMQP string type).
    private static func strings(_ value: FieldValue, key: String) throws(AMQPError) -> [String] {
        if let text = text(value) { return [text] }
        guard case .array(let items) = value else { throw invalid(key, value) }
        var result: [String] = []
        for item in items {
            guard let text = text(item) else { throw invalid(key, value) }
            result.append(text)
        }
        return result
    }

    private static func text(_ value: FieldValue) -> String? {
        switch value {
        case .longString(let text): text
        case .byteArray(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    private static func invalid(_ key: String, _ value: FieldValue) -> AMQPError {
        AMQPError(.preconditionFailed, "invalid arg '\(key)': \(value.textValue)")
    }
}
