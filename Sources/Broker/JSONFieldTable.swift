import AMQPWire

/// A field table in definitions. In RabbitMQ's JSON (the management API's import and export) it
/// is a JSON object of booleans, numbers, strings, arrays and objects; a value JSON cannot hold
/// (NaN, an infinity) fails the encoding rather than being dropped. In warren's definitions file
/// (`Definitions.currentFormat` 2) it is a `TypedFieldTable`, so every field type round-trips;
/// decoding accepts both forms (an array is the typed one).
public struct JSONFieldTable: Codable, Equatable, Sendable {
    public var table: FieldTable

    public init(_ table: FieldTable) { self.table = table }

    /// Set to `true` in an encoder's `userInfo` to write typed tables (the definitions file).
    public static let typed = CodingUserInfoKey(rawValue: "warren.typedFieldTables")!

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if (try? decoder.unkeyedContainer()) != nil {
            table = try TypedFieldTable(from: decoder).table
            return
        }
        let container = try decoder.container(keyedBy: Key.self)
        var table = FieldTable()
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            table[key.stringValue] = try container.decode(JSONFieldValue.self, forKey: key).value
        }
        self.table = table
    }

    public func encode(to encoder: any Encoder) throws {
        if encoder.userInfo[Self.typed] as? Bool == true {
            return try TypedFieldTable(table).encode(to: encoder)
        }
        var container = encoder.container(keyedBy: Key.self)
        for entry in table.entries {
            try container.encode(JSONFieldValue(entry.value), forKey: Key(stringValue: entry.key))
        }
    }
}

/// One field value as JSON.
struct JSONFieldValue: Codable {
    var value: FieldValue

    init(_ value: FieldValue) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            value = .boolean(flag)
        } else if let number = try? container.decode(Int64.self) {
            value = .int64(number)
        } else if let number = try? container.decode(Double.self) {
            value = .double(number)
        } else if let text = try? container.decode(String.self) {
            value = .longString(text)
        } else if let array = try? container.decode([JSONFieldValue].self) {
            value = .array(array.map(\.value))
        } else {
            value = .table(try container.decode(JSONFieldTable.self).table)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .boolean(let flag): try container.encode(flag)
        case .float(let number): try container.encode(try Self.finite(Double(number), at: encoder.codingPath))
        case .double(let number): try container.encode(try Self.finite(number, at: encoder.codingPath))
        case .longString(let text): try container.encode(text)
        case .array(let values): try container.encode(values.map(JSONFieldValue.init))
        case .table(let table): try container.encode(JSONFieldTable(table))
        case .timestamp(let time): try container.encode(time)
        default:
            if let number = value.integerValue { try container.encode(number) } else { try container.encode("\(value)") }
        }
    }

    /// The number, or an error naming where it is: JSON has no NaN or infinity.
    private static func finite(_ number: Double, at path: [any CodingKey]) throws -> Double {
        guard number.isFinite else {
            let field = path.reduce("") { text, key in
                if let index = key.intValue { return text + "[\(index)]" }
                return text.isEmpty ? key.stringValue : text + "." + key.stringValue
            }
            throw EncodingError.invalidValue(number, .init(codingPath: path,
                                                           debugDescription: "\(field) is \(number), which JSON cannot hold"))
        }
        return number
    }
}
