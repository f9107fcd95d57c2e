import AMQPWire

/// RabbitMQ's equivalence check for declaration arguments, with its error text.
enum ArgumentEquivalence {
    /// The queue arguments RabbitMQ 3.10 compares on redeclaration; others may differ freely.
    static let queueKeys: Set<String> = [
        "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-expires", "x-max-length", "x-max-length-bytes",
        "x-max-in-memory-length", "x-max-in-memory-bytes", "x-max-priority", "x-message-ttl", "x-overflow",
        "x-queue-mode", "x-queue-type", "x-single-active-consumer", "x-queue-master-locator",
        "x-quorum-initial-group-size", "x-delivery-limit", "x-max-age", "x-stream-max-segment-size-bytes",
    ]
    /// The exchange arguments RabbitMQ compares.
    static let exchangeKeys: Set<String> = ["alternate-exchange"]

    static func check(_ current: FieldTable, _ received: FieldTable, keys: Set<String>, what: String) throws(AMQPError) {
        for key in keys.sorted() {
            let old = current[key]
            let new = received[key]
            guard !sameValue(old, new) else { continue }
            // RabbitMQ 3.10 quotes bare values when both sides have one of the same type class,
            // and names the types otherwise.
            let typed = old.map(typeClass) != new.map(typeClass)
            throw AMQPError(.preconditionFailed, "inequivalent arg '\(key)' for \(what): received \(describe(new, typed: typed)) but current is \(describe(old, typed: typed))")
        }
    }

    private static func sameValue(_ a: FieldValue?, _ b: FieldValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let x?, let y?): HeadersMatch.loselyEqual(x, y)
        default: false
        }
    }

    /// How RabbitMQ 3.10 quotes a value in its inequivalence message.
    static func describe(_ value: FieldValue?, typed: Bool) -> String {
        guard let value else { return "none" }
        return typed ? "the value '\(text(value))' of type '\(typeName(value))'" : "'\(text(value))'"
    }

    /// Values of one class compare by value: every integer width (and decimal) is `int`, both float widths `float`.
    private static func typeClass(_ value: FieldValue) -> String {
        if value.integerValue != nil { return "int" }
        switch value {
        case .decimal: return "int"
        case .float, .double: return "float"
        default: return typeName(value)
        }
    }

    static func typeName(_ value: FieldValue) -> String {
        switch value {
        case .boolean: "bool"
        case .int8: "byte"
        case .uint8: "unsignedbyte"
        case .int16: "short"
        case .uint16: "unsignedshort"
        case .int32: "signedint"
        case .uint32: "unsignedint"
        case .int64, .uint64: "long"
        case .float: "float"
        case .double: "double"
        case .decimal: "decimal"
        case .longString: "longstr"
        case .byteArray: "binary"
        case .array: "array"
        case .timestamp: "timestamp"
        case .table: "table"
        case .void: "void"
        }
    }

    private static func text(_ value: FieldValue) -> String {
        switch value {
        case .longString(let s): s
        case .boolean(let b): "\(b)"
        case .float(let f): "\(f)"
        case .double(let d): "\(d)"
        default: value.integerValue.map { "\($0)" } ?? "\(value)"
        }
    }
}
