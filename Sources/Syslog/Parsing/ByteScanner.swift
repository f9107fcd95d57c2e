/// A forward reader over a frame's bytes. Every access is bounds-checked, so malformed input
/// can only make a read fail, never trap.
struct ByteScanner {
    let bytes: [UInt8]
    private(set) var position: Int

    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = min(max(position, 0), bytes.count)
    }

    var isAtEnd: Bool { position >= bytes.count }
    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }
    /// Everything not read yet.
    var rest: ArraySlice<UInt8> { bytes[position...] }

    mutating func advance(by count: Int = 1) { position = min(position + count, bytes.count) }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        position += 1
        return true
    }

    /// Reads up to (not including) the next space or the end.
    mutating func readToken() -> ArraySlice<UInt8> {
        let start = position
        while let byte = peek, byte != ASCII.space { position += 1 }
        return bytes[start..<position]
    }

    /// Reads exactly `count` ASCII digits as a number; nil (nothing consumed) otherwise.
    mutating func readDigits(_ count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[position..<position + count] {
            guard ASCII.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - ASCII.zero)
        }
        position += count
        return value
    }

    mutating func skipSpaces() {
        while peek == ASCII.space { position += 1 }
    }
}

extension ArraySlice<UInt8> {
    /// The bytes as text, invalid UTF-8 replaced by U+FFFD.
    var text: String { String(decoding: self, as: UTF8.self) }
}
