import AMQPWire

/// A field table as typed JSON, for warren's definitions file: an array of `[key, tag, value]`
/// entries, where the tag is the AMQP type letter, so every field type round-trips exactly.
/// Values are JSON numbers, strings and booleans where JSON holds them exactly; a double or float
/// that is not finite is its IEEE bit pattern in hex (`"d", "7ff8000000000000"`), a byte array
/// is hex, a decimal is `[scale, value]`, arrays are `[[tag, value], …]`, tables nest, void is null.
struct TypedFieldTable: Codable {
    var table: FieldTable

    init(_ table: FieldTable) { self.table = table }

    init(from decoder: any Decoder) throws {
        var entries = try decoder.unkeyedContainer()
        var table = FieldTable()
        while !entries.isAtEnd {
            var entry = try entries.nestedUnkeyedContainer()
            let key = try entry.decode(String.self)
            table[key] = try TypedFieldValue.decodeValue(from: &entry)
        }
        self.table = table
    }

    func encode(to encoder: any Encoder) throws {
        var entries = encoder.unkeyedContainer()
        for field in table.entries {
            var entry = entries.nestedUnkeyedContainer()
            try entry.encode(field.key)
            try TypedFieldValue(field.value).encodeValue(to: &entry)
        }
    }
}

/// One field value as `[tag, value]`.
struct TypedFieldValue: Codable {
    var value: FieldValue

    init(_ value: FieldValue) { self.value = value }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        value = try Self.decodeValue(from: &container)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try encodeValue(to: &container)
    }

    func encodeValue(to container: inout some UnkeyedEncodingContainer) throws {
        try container.encode(String(UnicodeScalar(value.tag)))
        switch value {
        case .boolean(let flag): try container.encode(flag)
        case .int8(let number): try container.encode(number)
        case .uint8(let number): try container.encode(number)
        case .int16(let number): try container.encode(number)
        case .uint16(let number): try container.encode(number)
        case .int32(let number): try container.encode(number)
        case .uint32(let number): try container.encode(number)
        case .int64(let number): try container.encode(number)
        case .uint64(let number): try container.encode(number)
        case .float(let number):
            if number.isFinite { try container.encode(number) } else { try container.encode(Self.hex(UInt64(number.bitPattern))) }
        case .double(let number):
            if number.isFinite { try container.encode(number) } else { try container.encode(Self.hex(number.bitPattern)) }
        case .decimal(let scale, let digits): try container.encode([UInt32(scale), digits])
        case .longString(let text): try container.encode(text)
        case .byteArray(let bytes): try container.encode(bytes.map { Self.hex(UInt64($0), width: 2) }.joined())
        case .array(let values): try container.encode(values.map(TypedFieldValue.init))
        case .timestamp(let time): try container.encode(time)
        case .table(let table): try container.encode(TypedFieldTable(table))
        case .void: try container.encodeNil()
        }
    }

    static func decodeValue(from container: inout some UnkeyedDecodingContainer) throws -> FieldValue {
        let tag = try container.decode(String.self)
        func invalid(_ why: String) -> DecodingError {
            .dataCorruptedError(in: container, debugDescription: "field of type '\(tag)': \(why)")
        }
        switch tag {
        case "t": return .boolean(try container.decode(Bool.self))
        case "b": return .int8(try container.decode(Int8.self))
        case "B": return .uint8(try container.decode(UInt8.self))
        case "s": return .int16(try container.decode(Int16.self))
        case "u": return .uint16(try container.decode(UInt16.self))
        case "I": return .int32(try container.decode(Int32.self))
        case "i": return .uint32(try container.decode(UInt32.self))
        case "l": return .int64(try container.decode(Int64.self))
        case "L": return .uint64(try container.decode(UInt64.self))
        case "T": return .timestamp(try container.decode(UInt64.self))
        case "f":
            if let number = try? container.decode(Float.self) { return .float(number) }
            guard let bits = UInt32(try container.decode(String.self), radix: 16) else { throw invalid("not a number or bit pattern") }
            return .float(Float(bitPattern: bits))
        case "d":
            if let number = try? container.decode(Double.self) { return .double(number) }
            guard let bits = UInt64(try container.decode(String.self), radix: 16) else { throw invalid("not a number or bit pattern") }
            return .double(Double(bitPattern: bits))
        case "D":
            let parts = try container.decode([UInt32].self)
            guard parts.count == 2, let scale = UInt8(exactly: parts[0]) else { throw invalid("not [scale, value]") }
            return .decimal(scale: scale, value: parts[1])
        case "S": return .longString(try container.decode(String.self))
        case "x":
            let text = Array(try container.decode(String.self).utf8)
            guard text.count % 2 == 0 else { throw invalid("odd hex length") }
            var bytes: [UInt8] = []
            for index in stride(from: 0, to: text.count, by: 2) {
                guard let byte = UInt8(String(decoding: text[index..<index + 2], as: UTF8.self), radix: 16) else {
                    throw invalid("not hex")
                }
                bytes.append(byte)
            }
            return .byteArray(bytes)
        case "A": return .array(try container.decode([TypedFieldValue].self).map(\.value))
        case "F": return .table(try container.decode(TypedFieldTable.self).table)
        case "V":
            guard try container.decodeNil() else { throw invalid("void is null") }
            return .void
        default: throw invalid("unknown type")
        }
    }

    private static func hex(_ value: UInt64, width: Int = 0) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
