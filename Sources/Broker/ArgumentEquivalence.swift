import AMQPWire

/// RabbitMQ's equivalence check for declaration arguments, with its error text.
enum ArgumentEquivalence {
    static func check(_ current: FieldTable, _ received: FieldTable, what: String) throws(AMQPError) {
        var keys = current.entries.map(\.key)
        for entry in received.entries where !keys.contains(entry.key) { keys.append(entry.key) }
        for key in keys {
            let old = current[key]
            let new = received[key]
            guard !sameValue(old, new) else { continue }
            throw AMQPError(.preconditionFailed, "inequivalent arg '\(key)' for \(what): received \(describe(new)) but current is \(describe(old))")
        }
    }

    private static func sameValue(_ a: FieldValue?, _ b: FieldValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let x?, let y?): HeadersMatch.loselyEqual(x, y)
        default: false
        }
    }

    /// How RabbitMQ quotes a value in its inequivalence message.
    static func describe(_ value: FieldValue?) -> String {
        guard let value else { return "none" }
        return "the value '\(text(value))' of type '\(typeName(value))'"
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

    private static func typeName(_ value: FieldValue) -> String {
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
}
