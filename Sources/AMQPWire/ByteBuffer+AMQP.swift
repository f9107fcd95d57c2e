import NIOCore

/// Reading and writing the AMQP primitive types; every read throws instead of trapping.
extension ByteBuffer {
    @inlinable
    mutating func readOctet() throws(WireError) -> UInt8 {
        guard let value = readInteger(as: UInt8.self) else { throw .truncated("octet") }
        return value
    }

    @inlinable
    mutating func readShort() throws(WireError) -> UInt16 {
        guard let value = readInteger(as: UInt16.self) else { throw .truncated("short") }
        return value
    }

    @inlinable
    mutating func readLong() throws(WireError) -> UInt32 {
        guard let value = readInteger(as: UInt32.self) else { throw .truncated("long") }
        return value
    }

    @inlinable
    mutating func readLongLong() throws(WireError) -> UInt64 {
        guard let value = readInteger(as: UInt64.self) else { throw .truncated("long long") }
        return value
    }

    /// A short string: one length octet, then that many bytes. Invalid UTF-8 is replaced (U+FFFD is
    /// three bytes), and the result cut to what a short string holds, so that what is read is what
    /// would be written back.
    @inlinable
    public mutating func readShortString() throws(WireError) -> String {
        let length = Int(try readOctet())
        guard let text = readString(length: length) else { throw .truncated("short string") }
        return text.utf8.count > 255 ? String(text.fittingShortString) : text
    }

    /// A long string's raw bytes: a 32-bit length, then that many bytes.
    mutating func readLongStringBytes() throws(WireError) -> [UInt8] {
        let length = Int(try readLong())
        guard let bytes = readBytes(length: length) else { throw .truncated("long string") }
        return bytes
    }

    /// Writes a short string, cutting it at 255 bytes on a character boundary if longer.
    @inlinable
    public mutating func writeShortString(_ text: String) {
        let utf8 = text.fittingShortString.utf8
        writeInteger(UInt8(utf8.count))
        writeBytes(utf8)
    }

    mutating func writeLongString(_ bytes: [UInt8]) {
        writeInteger(UInt32(truncatingIfNeeded: bytes.count))
        writeBytes(bytes)
    }

    mutating func writeLongString(_ text: String) {
        writeInteger(UInt32(truncatingIfNeeded: text.utf8.count))
        writeString(text)
    }
}

extension String {
    /// The text a short string can hold: at most 255 UTF-8 bytes, cut on a Unicode scalar boundary.
    @inlinable
    var fittingShortString: Substring {
        let utf8 = self.utf8
        guard utf8.count > 255 else { return self[...] }
        var end = utf8.index(utf8.startIndex, offsetBy: 255)
        while end > utf8.startIndex, UTF8.isContinuation(utf8[end]) { end = utf8.index(before: end) }
        return self[..<end]
    }
}
