import AMQPWire
import NIOCore

/// A field table in definitions. In RabbitMQ's JSON (the management API's import and export) it
/// is a JSON object of booleans, numbers, strings, arrays and objects; a value JSON cannot hold
/// (NaN, an infinity) fails the encoding rather than being dropped. In warren's definitions file
/// (`Definitions.fileFormat` 2) it is the hex of the table's AMQP encoding, so every field
/// type round-trips; decoding accepts both forms.
public struct JSONFieldTable: Codable, Equatable, Sendable {
    public var table: FieldTable

    public init(_ table: FieldTable) { self.table = table }

    /// Set to `true` in an encoder's `userInfo` to write tables AMQP-encoded (the definitions file).
    public static let amqpEncoded = CodingUserInfoKey(rawValue: "warren.fieldTablesAMQPEncoded")!

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let encoded = try? decoder.singleValueContainer().decode(String.self) {
            table = try Self.decodeAMQP(encoded, codingPath: decoder.codingPath)
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
        if encoder.userInfo[Self.amqpEncoded] as? Bool == true {
            var bytes = ByteBuffer()
            bytes.writeFieldTable(table)
            var container = encoder.singleValueContainer()
            try container.encode(Hex.encode(bytes.readableBytesView))
            return
        }
        var container = encoder.container(keyedBy: Key.self)
        for entry in table.entries {
            try container.encode(JSONFieldValue(entry.value), forKey: Key(stringValue: entry.key))
        }
    }

    private static func decodeAMQP(_ encoded: String, codingPath: [any CodingKey]) throws -> FieldTable {
        func invalid(_ why: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: codingPath, debugDescription: "AMQP-encoded field table: \(why)"))
        }
        guard let decoded = Hex.decode(encoded) else { throw invalid("not hexadecimal") }
        var bytes = ByteBuffer(bytes: decoded)
        do {
            let table = try bytes.readFieldTable()
            guard bytes.readableBytes == 0 else { throw invalid("\(bytes.readableBytes) byte(s) after the table") }
            return table
        } catch let error as WireError {
            throw invalid("\(error)")
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
