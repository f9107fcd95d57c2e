import AMQPWire

/// The headers exchange's rule: binding arguments against message headers, with `x-match`
/// `all` (default), `any`, `all-with-x` and `any-with-x`, as RabbitMQ matches them.
enum HeadersMatch {
    static func matches(binding arguments: FieldTable, headers: FieldTable?) -> Bool {
        let mode = arguments["x-match"]?.stringValue ?? "all"
        let includeX = mode.hasSuffix("-with-x")
        let wantAll = mode.hasPrefix("all")
        let headers = headers ?? FieldTable()
        var anyMatched = false
        for entry in arguments.entries where entry.key != "x-match" {
            if entry.key.hasPrefix("x-") && !includeX { continue }
            let matched: Bool
            if let value = headers[entry.key] {
                matched = entry.value == .void || loselyEqual(entry.value, value)
            } else {
                matched = false
            }
            if wantAll && !matched { return false }
            if matched { anyMatched = true }
        }
        return wantAll ? true : anyMatched
    }

    /// Values compare by value, not by type tag (an `I` 1 equals an `l` 1), as in RabbitMQ.
    static func loselyEqual(_ a: FieldValue, _ b: FieldValue) -> Bool {
        if let x = a.integerValue, let y = b.integerValue { return x == y }
        return a == b
    }
}
