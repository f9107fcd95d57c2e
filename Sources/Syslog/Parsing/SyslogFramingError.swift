/// Why an RFC 6587 TCP stream cannot be framed any further; the connection should be dropped.
public enum SyslogFramingError: Error, Equatable, Sendable {
    /// A frame (declared octet count, or a line without LF so far) longer than the maximum.
    case frameTooLarge(Int)
    /// An octet count with a leading zero, or not followed by a space.
    case badOctetCount
}
