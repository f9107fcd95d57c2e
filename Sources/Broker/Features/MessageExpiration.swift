import AMQPWire

/// The `expiration` property: milliseconds as a decimal string, validated with RabbitMQ's texts.
enum MessageExpiration {
    /// The message's TTL; nil when it has none, 406 when the property is not a valid TTL.
    static func milliseconds(of message: Message) throws(AMQPError) -> Int64? {
        guard let text = message.properties.expiration else { return nil }
        return try milliseconds(text)
    }

    static func milliseconds(_ text: String) throws(AMQPError) -> Int64 {
        func invalid(_ reason: String) -> AMQPError {
            AMQPError(.preconditionFailed, "invalid expiration '\(text)': \(reason)")
        }
        // Erlang's string:to_integer: an optional sign, digits, and nothing left over.
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        let number = digits.prefix { $0.isASCII && $0.isNumber }
        guard !number.isEmpty else { throw invalid("no_integer") }
        let rest = digits.dropFirst(number.count)
        guard rest.isEmpty else { throw invalid("{leftover_string,\"\(rest)\"}") }
        let magnitude = Int64(number) ?? .max
        if negative && magnitude != 0 { throw invalid("{value_negative,-\(number)}") }
        guard magnitude <= QueueFeatures.maxDuration else { throw invalid("{value_too_large,\(number)}") }
        return magnitude
    }
}
