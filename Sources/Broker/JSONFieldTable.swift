import AMQPWire

/// A field table as JSON (as in RabbitMQ's definitions): booleans, numbers, strings, arrays and
/// objects; other field types are written as strings.
public struct JSONFieldTable: Codable, Equatable, Sendable {
    public var table: FieldTable

    public init(_ table: FieldTable) { self.table = table }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var table = FieldTable()
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            table[key.stringValue] = try container.decode(JSONFieldValue.self, forKey: key).value
        }
        self.table = table
    }

    public func encode(to encoder: any Encoder) throws {
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
        case .float(let number): try container.encode(Double(number))
        case .double(let number): try container.encode(number)
        case .longString(let text): try container.encode(text)
        case .array(let values): try container.encode(values.map(JSONFieldValue.init))
        case .table(let table): try container.encode(JSONFieldTable(table))
        case .timestamp(let time): try container.encode(time)
        default:
            if let number = value.integerValue { try container.encode(number) } else { try container.encode("\(value)") }
        }
    }
}
