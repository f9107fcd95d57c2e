/// The RFC 3164 TAG at the start of CONTENT: `name:` or `name[pid]:`, then an optional space.
struct SyslogTag: Equatable {
    let name: String
    let pid: String?

    /// Reads a tag at the scanner; nil, with nothing consumed, when the text there is not one.
    /// The name is any run of printable ASCII except `[`, `]` and `:`, so `postfix/smtpd` qualifies.
    static func parse(_ scanner: inout ByteScanner) -> SyslogTag? {
        var reader = scanner
        let nameStart = reader.position
        while let byte = reader.peek, isTagByte(byte) { reader.advance() }
        let name = reader.bytes[nameStart..<reader.position]
        guard !name.isEmpty else { return nil }
        var pid: ArraySlice<UInt8>?
        if reader.consume(ASCII.openBracket) {
            let pidStart = reader.position
            while let byte = reader.peek, isTagByte(byte) { reader.advance() }
            pid = reader.bytes[pidStart..<reader.position]
            guard pid?.isEmpty == false, reader.consume(ASCII.closeBracket) else { return nil }
        }
        guard reader.consume(ASCII.colon) else { return nil }
        _ = reader.consume(ASCII.space)
        scanner = reader
        return SyslogTag(name: name.text, pid: pid?.text)
    }

    private static func isTagByte(_ byte: UInt8) -> Bool {
        ASCII.isPrintUSASCII(byte) && byte != ASCII.openBracket && byte != ASCII.closeBracket && byte != ASCII.colon
    }
}
