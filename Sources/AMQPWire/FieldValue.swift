/// A value in an AMQP field table or array, one case per RabbitMQ type tag.
public indirect enum FieldValue: Sendable, Equatable {
    case boolean(Bool)            // t
    case int8(Int8)               // b
    case uint8(UInt8)             // B
    case int16(Int16)             // s
    case uint16(UInt16)           // u
    case int32(Int32)             // I
    case uint32(UInt32)           // i
    case int64(Int64)             // l
    case uint64(UInt64)           // L
    case float(Float)             // f
    case double(Double)           // d
    case decimal(scale: UInt8, value: UInt32) // D
    case longString(String)       // S
    case byteArray([UInt8])       // x
    case array([FieldValue])      // A
    case timestamp(UInt64)        // T
    case table(FieldTable)        // F
    case void                     // V

    /// The one-byte type tag that precedes the value on the wire.
    public var tag: UInt8 {
        switch self {
        case .boolean: UInt8(ascii: "t")
        case .int8: UInt8(ascii: "b")
        case .uint8: UInt8(ascii: "B")
        case .int16: UInt8(ascii: "s")
        case .uint16: UInt8(ascii: "u")
        case .int32: UInt8(ascii: "I")
        case .uint32: UInt8(ascii: "i")
        case .int64: UInt8(ascii: "l")
        case .uint64: UInt8(ascii: "L")
        case .float: UInt8(ascii: "f")
        case .double: UInt8(ascii: "d")
        case .decimal: UInt8(ascii: "D")
        case .longString: UInt8(ascii: "S")
        case .byteArray: UInt8(ascii: "x")
        case .array: UInt8(ascii: "A")
        case .timestamp: UInt8(ascii: "T")
        case .table: UInt8(ascii: "F")
        case .void: UInt8(ascii: "V")
        }
    }

    /// The value as a signed integer when it is any integer type that fits.
    public var integerValue: Int64? {
        switch self {
        case .int8(let v): Int64(v)
        case .uint8(let v): Int64(v)
        case .int16(let v): Int64(v)
        case .uint16(let v): Int64(v)
        case .int32(let v): Int64(v)
        case .uint32(let v): Int64(v)
        case .int64(let v): v
        case .uint64(let v): Int64(exactly: v)
        default: nil
        }
    }

    /// The value as text when it is a long string.
    public var stringValue: String? {
        if case .longString(let text) = self { return text }
        return nil
    }

    /// The value as a Boolean when it is one.
    public var boolValue: Bool? {
        if case .boolean(let flag) = self { return flag }
        return nil
    }
}

extension FieldValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .longString(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int32) { self = .int32(value) }
}
