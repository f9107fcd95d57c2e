import AMQPWire

/// The headers exchange's rule: binding arguments against message headers, with `x-match`
/// `all` (default), `any`, `all-with-x` and `any-with-x`, as RabbitMQ matches them.
/// A message's headers are indexed once per publish, so matching costs the number of headers
/// plus the binding arguments, never their product.
enum HeadersMatch {
    /// A message's headers by name (the first entry wins, as `FieldTable`'s subscript reads).
    struct Lookup {
        fileprivate let values: [String: FieldValue]

        init(_ headers: FieldTable?) {
            let pairs = (headers?.entries ?? []).lazy.map { ($0.key, $0.value) }
            values = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The `x-match` values RabbitMQ accepts.
    static let modes: Set<String> = ["all", "any", "all-with-x", "any-with-x"]

    /// Refuses an `x-match` that is not one of the modes, with RabbitMQ 3.13's texts.
    static func validate(_ arguments: FieldTable) throws(AMQPError) {
        switch arguments["x-match"] {
        case nil: return
        case .longString(let mode)?:
            guard !modes.contains(mode) else { return }
            throw AMQPError(.preconditionFailed, "Invalid x-match field value <<\"\(mode)\">>; expected all, any, all-with-x, or any-with-x")
        case let value?:
            throw AMQPError(.preconditionFailed,
                            "Invalid x-match field type \(ArgumentEquivalence.typeName(value)) (value \(value.textValue)); expected longstr")
        }
    }

    static func matches(binding arguments: FieldTable, headers: FieldTable?) -> Bool {
        matches(binding: arguments, headers: Lookup(headers))
    }

    static func matches(binding arguments: FieldTable, headers: Lookup) -> Bool {
        let mode = arguments["x-match"]?.stringValue ?? "all"
        let includeX = mode.hasSuffix("-with-x")
        let wantAll = mode.hasPrefix("all")
        var anyMatched = false
        for entry in arguments.entries where entry.key != "x-match" {
            if entry.key.hasPrefix("x-") && !includeX { continue }
            let matched: Bool
            if let value = headers.values[entry.key] {
                matched = entry.value == .void || loselyEqual(entry.value, value)
            } else {
                matched = false
            }
            if wantAll && !matched { return false }
            if matched { anyMatched = true }
        }
        return wantAll ? true : anyMatched
    }

    /// Values compare by value within RabbitMQ's type classes, not by type tag: an `I` 1 equals
    /// an `l` 1, an `f` 1.5 equals a `d` 1.5.
    static func loselyEqual(_ a: FieldValue, _ b: FieldValue) -> Bool {
        if let x = a.integerValue, let y = b.integerValue { return x == y }
        if let x = floatingValue(a), let y = floatingValue(b) { return x == y }
        return a == b
    }

    private static func floatingValue(_ value: FieldValue) -> Double? {
        switch value {
        case .float(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }
}
