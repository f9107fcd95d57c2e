import NIOCore

/// Encoding and decoding of field tables, arrays and values with RabbitMQ's type tags.
extension ByteBuffer {
    /// Nesting deeper than this is refused, so a hostile table cannot exhaust the stack.
    static let maximumFieldNesting = 64

    public mutating func readFieldTable() throws(WireError) -> FieldTable {
        try readFieldTable(depth: 0)
    }

    public mutating func writeFieldTable(_ table: FieldTable) {
        let lengthIndex = writerIndex
        writeInteger(UInt32(0))
        for entry in table.entries {
            writeShortString(entry.key)
            writeFieldValue(entry.value)
        }
        setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
    }

    private mutating func readFieldTable(depth: Int) throws(WireError) -> FieldTable {
        guard depth < Self.maximumFieldNesting else { throw .syntax("field table nested too deeply") }
        var body = try readSizedSlice(what: "field table")
        var entries: [FieldTable.Entry] = []
        while body.readableBytes > 0 {
            let key = try body.readShortString()
            let value = try body.readFieldValue(depth: depth)
            entries.append(FieldTable.Entry(key: key, value: value))
        }
        return FieldTable(entries)
    }

    private mutating func readFieldArray(depth: Int) throws(WireError) -> [FieldValue] {
        guard depth < Self.maximumFieldNesting else { throw .syntax("field array nested too deeply") }
        var body = try readSizedSlice(what: "field array")
        var values: [FieldValue] = []
        while body.readableBytes > 0 {
            values.append(try body.readFieldValue(depth: depth))
        }
        return values
    }

    private mutating func readSizedSlice(what: String) throws(WireError) -> ByteBuffer {
        let length = Int(try readLong())
        guard let body = readSlice(length: length) else { throw .truncated(what) }
        return body
    }

    private mutating func readFieldValue(depth: Int) throws(WireError) -> FieldValue {
        let tag = try readOctet()
        switch tag {
        case UInt8(ascii: "t"): return .boolean(try readOctet() != 0)
        case UInt8(ascii: "b"): return .int8(Int8(bitPattern: try readOctet()))
        case UInt8(ascii: "B"): return .uint8(try readOctet())
        case UInt8(ascii: "s"): return .int16(Int16(bitPattern: try readShort()))
        case UInt8(ascii: "u"): return .uint16(try readShort())
        case UInt8(ascii: "I"): return .int32(Int32(bitPattern: try readLong()))
        case UInt8(ascii: "i"): return .uint32(try readLong())
        case UInt8(ascii: "l"): return .int64(Int64(bitPattern: try readLongLong()))
        case UInt8(ascii: "L"): return .uint64(try readLongLong())
        case UInt8(ascii: "f"): return .float(Float(bitPattern: try readLong()))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try readLongLong()))
        case UInt8(ascii: "D"): return .decimal(scale: try readOctet(), value: try readLong())
        case UInt8(ascii: "S"): return .longString(String(decoding: try readLongStringBytes(), as: UTF8.self))
        case UInt8(ascii: "x"): return .byteArray(try readLongStringBytes())
        case UInt8(ascii: "A"): return .array(try readFieldArray(depth: depth + 1))
        case UInt8(ascii: "T"): return .timestamp(try readLongLong())
        case UInt8(ascii: "F"): return .table(try readFieldTable(depth: depth + 1))
        case UInt8(ascii: "V"): return .void
        default: throw .unknownFieldType(tag)
        }
    }

    mutating func writeFieldValue(_ value: FieldValue) {
        writeInteger(value.tag)
        switch value {
        case .boolean(let v): writeInteger(UInt8(v ? 1 : 0))
        case .int8(let v): writeInteger(v)
        case .uint8(let v): writeInteger(v)
        case .int16(let v): writeInteger(v)
        case .uint16(let v): writeInteger(v)
        case .int32(let v): writeInteger(v)
        case .uint32(let v): writeInteger(v)
        case .int64(let v): writeInteger(v)
        case .uint64(let v): writeInteger(v)
        case .float(let v): writeInteger(v.bitPattern)
        case .double(let v): writeInteger(v.bitPattern)
        case .decimal(let scale, let v):
            writeInteger(scale)
            writeInteger(v)
        case .longString(let text): writeLongString(text)
        case .byteArray(let bytes): writeLongString(bytes)
        case .array(let values):
            let lengthIndex = writerIndex
            writeInteger(UInt32(0))
            for element in values { writeFieldValue(element) }
            setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
        case .timestamp(let v): writeInteger(v)
        case .table(let table): writeFieldTable(table)
        case .void: break
        }
    }
}
