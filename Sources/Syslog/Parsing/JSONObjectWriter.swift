import NIOCore

/// Writes one JSON object, keys in the order given; strings escaped per RFC 8259. The bytes grow
/// in a plain array and become a ByteBuffer once at the end: a ByteBuffer write per token costs
/// an exclusivity check on its storage, which showed at the top of the collector's profile.
struct JSONObjectWriter {
    private var bytes: [UInt8]
    private var needsComma = false

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    mutating func field(_ key: String, _ value: String?) {
        writeKey(key)
        if let value { Self.writeString(value, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
    }

    /// A string, or an array of strings when there are several.
    mutating func field(_ key: String, _ values: [String]) {
        guard values.count > 1 else { return field(key, values.first) }
        writeKey(key)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            Self.writeString(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func nullField(_ key: String) { field(key, String?.none) }

    /// A nested object written by `body`.
    mutating func objectField(_ key: String, _ body: (inout JSONObjectWriter) -> Void) {
        writeKey(key)
        var nested = JSONObjectWriter(capacity: 0)
        swap(&nested.bytes, &bytes)  // hand the storage over so nested writes do not copy it
        nested.bytes.append(UInt8(ascii: "{"))
        nested.needsComma = false
        body(&nested)
        nested.bytes.append(UInt8(ascii: "}"))
        swap(&nested.bytes, &bytes)
    }

    consuming func finished() -> ByteBuffer {
        bytes.append(UInt8(ascii: "}"))
        return ByteBuffer(bytes: bytes)
    }

    private mutating func writeKey(_ key: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        Self.writeString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    static func writeString(_ string: String, to bytes: inout [UInt8]) {
        var string = string
        bytes.append(UInt8(ascii: "\""))
        string.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                let isBOM = byte == 0xEF && index + 2 < utf8.count && utf8[index + 1] == 0xBB && utf8[index + 2] == 0xBF
                guard byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash || isBOM else {
                    index += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                if isBOM {
                    // Escaped: some decoders (Foundation's JSONSerialization) drop a raw U+FEFF.
                    bytes.append(contentsOf: #"\ufeff"#.utf8)
                    index += 3
                } else {
                    writeEscape(byte, to: &bytes)
                    index += 1
                }
                runStart = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func writeEscape(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case ASCII.quote: bytes.append(contentsOf: #"\""#.utf8)
        case ASCII.backslash: bytes.append(contentsOf: #"\\"#.utf8)
        case ASCII.lf: bytes.append(contentsOf: #"\n"#.utf8)
        case ASCII.cr: bytes.append(contentsOf: #"\r"#.utf8)
        case ASCII.tab: bytes.append(contentsOf: #"\t"#.utf8)
        case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
        case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: #"\u00"#.utf8)
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0F)])
        }
    }
}
