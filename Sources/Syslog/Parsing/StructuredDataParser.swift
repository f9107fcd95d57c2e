/// RFC 5424 §6.3 STRUCTURED-DATA: one or more `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]`.
enum StructuredDataParser {
    /// Reads the elements at the scanner (which is at `[`); nil when they break the ABNF.
    /// In values `\"`, `\\` and `\]` are unescaped; any other backslash is kept (§6.3.3).
    /// An unescaped `]` inside a quoted value is accepted: the quotes make it unambiguous.
    static func parse(_ scanner: inout ByteScanner) -> [StructuredElement]? {
        var reader = scanner
        var elements: [StructuredElement] = []
        while reader.consume(ASCII.openBracket) {
            guard let id = readName(&reader) else { return nil }
            var parameters: [StructuredParameter] = []
            while reader.consume(ASCII.space) {
                guard let name = readName(&reader), reader.consume(ASCII.equals), reader.consume(ASCII.quote),
                      let value = readValue(&reader)
                else { return nil }
                parameters.append(StructuredParameter(name: name, value: value))
            }
            guard reader.consume(ASCII.closeBracket) else { return nil }
            elements.append(StructuredElement(id: id, parameters: parameters))
        }
        guard !elements.isEmpty else { return nil }
        scanner = reader
        return elements
    }

    /// SD-NAME: 1*32 PRINTUSASCII except `=`, SP, `]`, `"`.
    private static func readName(_ scanner: inout ByteScanner) -> String? {
        let start = scanner.position
        while let byte = scanner.peek, ASCII.isPrintUSASCII(byte),
              byte != ASCII.equals, byte != ASCII.closeBracket, byte != ASCII.quote {
            scanner.advance()
        }
        let length = scanner.position - start
        guard (1...32).contains(length) else { return nil }
        return scanner.bytes[start..<scanner.position].text
    }

    /// PARAM-VALUE up to and including the closing quote.
    private static func readValue(_ scanner: inout ByteScanner) -> String? {
        var value: [UInt8] = []
        while let byte = scanner.peek {
            scanner.advance()
            switch byte {
            case ASCII.quote:
                return String(decoding: value, as: UTF8.self)
            case ASCII.backslash:
                if let next = scanner.peek, next == ASCII.quote || next == ASCII.backslash || next == ASCII.closeBracket {
                    value.append(next)
                    scanner.advance()
                } else {
                    value.append(byte)
                }
            default:
                value.append(byte)
            }
        }
        return nil  // no closing quote
    }
}
