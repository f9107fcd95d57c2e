import NIOCore

/// Splits a syslog TCP stream into frames (RFC 6587), deciding the framing frame by frame:
/// a frame starting with a digit is octet-counted (`LEN SP MSG`), anything else ends at LF
/// (a CR before the LF is dropped).
public struct SyslogTCPFramer: Sendable {
    public let maxMessageSize: Int
    private var buffer = ByteBuffer()
    /// How many readable bytes were already searched for an LF without finding one.
    private var searchedBytes = 0

    public init(maxMessageSize: Int = 65536) {
        self.maxMessageSize = max(1, maxMessageSize)
    }

    /// Bytes held for a frame that is not complete yet (at most about `maxMessageSize` plus one read).
    public var pendingBytes: Int { buffer.readableBytes }

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer = bytes
            searchedBytes = 0
            return
        }
        if buffer.readerIndex > 65536 && buffer.readerIndex > buffer.readableBytes { buffer.discardReadBytes() }
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// The next complete frame; nil when more bytes are needed.
    public mutating func nextFrame() throws(SyslogFramingError) -> ByteBuffer? {
        guard let first = buffer.readableBytesView.first else { return nil }
        return ASCII.isDigit(first) ? try nextOctetCountedFrame() : try nextLine()
    }

    /// What the stream left when it ended.
    public enum Rest: Equatable, Sendable {
        /// An LF-framed line without its LF: a frame of its own (rsyslog publishes it too).
        case line(ByteBuffer)
        /// An octet-counted frame cut off before the count it claims (or before its count ended):
        /// never published truncated, as rsyslog drops it ("Incomplete frame at end of stream").
        case incompleteFrame(pendingBytes: Int)
    }

    /// At EOF: the unterminated rest, if any.
    public mutating func finish() -> Rest? {
        defer {
            buffer = ByteBuffer()
            searchedBytes = 0
        }
        guard let first = buffer.readableBytesView.first else { return nil }
        guard !ASCII.isDigit(first) else { return .incompleteFrame(pendingBytes: buffer.readableBytes) }
        // At most maxMessageSize + 1 bytes wait here (a line of the maximum waiting for the LF after its CR).
        return buffer.readSlice(length: min(buffer.readableBytes, maxMessageSize)).map(Rest.line)
    }

    private enum OctetCountHeader {
        case complete(length: Int, headerLength: Int)
        case incomplete
    }

    private mutating func nextOctetCountedFrame() throws(SyslogFramingError) -> ByteBuffer? {
        guard case .complete(let length, let headerLength) = try octetCountHeader() else { return nil }
        guard buffer.readableBytes >= headerLength + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headerLength)
        searchedBytes = 0
        return buffer.readSlice(length: length)
    }

    /// Reads `LEN SP` at the reader index without consuming it.
    private func octetCountHeader() throws(SyslogFramingError) -> OctetCountHeader {
        let view = buffer.readableBytesView
        guard view.first != ASCII.zero else { throw .badOctetCount }
        var length = 0
        var digits = 0
        for byte in view {
            if ASCII.isDigit(byte) {
                let (times10, overflow1) = length.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - ASCII.zero))
                length = overflow1 || overflow2 ? Int.max : sum
                // A count already over the maximum is refused at once, however many digits follow.
                if length > maxMessageSize { throw .frameTooLarge(length) }
                digits += 1
                continue
            }
            guard byte == ASCII.space else { throw .badOctetCount }
            return .complete(length: length, headerLength: digits + 1)
        }
        return .incomplete  // only digits so far: wait for the rest of the count
    }

    private mutating func nextLine() throws(SyslogFramingError) -> ByteBuffer? {
        let searched = searchedBytes
        let newline = buffer.withUnsafeReadableBytes { bytes in
            bytes[min(searched, bytes.count)...].firstIndex(of: ASCII.lf)
        }
        guard let newline else {
            let pending = buffer.readableBytes
            searchedBytes = pending
            // A line of exactly maxMessageSize may still be waiting for its CR LF's LF.
            let mayBeCR = pending == maxMessageSize + 1 && buffer.readableBytesView.last == ASCII.cr
            if pending > maxMessageSize && !mayBeCR { throw .frameTooLarge(pending) }
            return nil
        }
        var length = newline
        if length > 0 && buffer.getInteger(at: buffer.readerIndex + length - 1, as: UInt8.self) == ASCII.cr {
            length -= 1
        }
        guard length <= maxMessageSize else { throw .frameTooLarge(length) }
        let frame = buffer.getSlice(at: buffer.readerIndex, length: length)
        buffer.moveReaderIndex(forwardBy: newline + 1)
        searchedBytes = 0
        return frame
    }
}
