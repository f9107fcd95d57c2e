import NIOCore

/// Writes one JSON object into a ByteBuffer, keys in the order given; strings escaped per RFC 8259.
struct JSONObjectWriter {
    private(set) var buffer: ByteBuffer
    private var needsComma = false

    init(into buffer: ByteBuffer) {
        self.buffer = buffer
        self.buffer.writeInteger(UInt8(ascii: "{"))
    }

    mutating func field(_ key: String, _ value: String?) {
        writeKey(key)
        if let value { Self.writeString(value, to: &buffer) } else { buffer.writeStaticString("null") }
    }

    /// A string, or an array of strings when there are several.
    mutating func field(_ key: String, _ values: [String]) {
        guard values.count > 1 else { return field(key, values.first) }
        writeKey(key)
        buffer.writeInteger(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            Self.writeString(value, to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    mutating func nullField(_ key: String) { field(key, String?.none) }

    /// A nested object written by `body`.
    mutating func objectField(_ key: String, _ body: (inout JSONObjectWriter) -> Void) {
        writeKey(key)
        var nested = JSONObjectWriter(into: buffer)
        buffer = ByteBuffer()  // hand the storage over so nested writes do not copy it
        body(&nested)
        buffer = nested.finished()
    }

    consuming func finished() -> ByteBuffer {
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    private mutating func writeKey(_ key: String) {
        if needsComma { buffer.writeInteger(UInt8(ascii: ",")) }
        needsComma = true
        Self.writeString(key, to: &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
    }

    static func writeString(_ string: String, to buffer: inout ByteBuffer) {
        var string = string
        buffer.writeInteger(UInt8(ascii: "\""))
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
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<index])))
                if isBOM {
                    // Escaped: some decoders (Foundation's JSONSerialization) drop a raw U+FEFF.
                    buffer.writeStaticString("\\ufeff")
                    index += 3
                } else {
                    writeEscape(byte, to: &buffer)
                    index += 1
                }
                runStart = index
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart...])))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static func writeEscape(_ byte: UInt8, to buffer: inout ByteBuffer) {
        switch byte {
        case ASCII.quote: buffer.writeStaticString("\\\"")
        case ASCII.backslash: buffer.writeStaticString("\\\\")
        case ASCII.lf: buffer.writeStaticString("\\n")
        case ASCII.cr: buffer.writeStaticString("\\r")
        case ASCII.tab: buffer.writeStaticString("\\t")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x0C: buffer.writeStaticString("\\f")
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(hex[Int(byte >> 4)])
            buffer.writeInteger(hex[Int(byte & 0x0F)])
        }
    }
}
