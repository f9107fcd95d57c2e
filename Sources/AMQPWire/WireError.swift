/// Why bytes from a peer could not be decoded, with the AMQP reply code the error calls for.
public enum WireError: Error, Equatable, Sendable {
    /// The payload ended before a field was complete.
    case truncated(String)
    /// A field value carried a type tag that is not one of RabbitMQ's.
    case unknownFieldType(UInt8)
    /// Arguments or properties that do not follow the grammar.
    case syntax(String)
    /// The class and method ids name no method.
    case unknownMethod(classID: UInt16, methodID: UInt16)
    /// The octet after the payload was not 0xCE.
    case badFrameEnd(UInt8)
    /// The frame type is not method, header, body or heartbeat.
    case unknownFrameType(UInt8)
    /// The declared payload exceeds the negotiated frame_max.
    case frameTooLarge(size: UInt32, max: UInt32)

    /// The connection-level reply code RabbitMQ answers this error with.
    public var replyCode: ReplyCode {
        switch self {
        case .badFrameEnd, .unknownFrameType, .frameTooLarge: .frameError
        case .truncated, .unknownFieldType, .syntax: .syntaxError
        case .unknownMethod: .commandInvalid
        }
    }

    /// A RabbitMQ-style reply text, without the code name prefix.
    public var explanation: String {
        switch self {
        case .truncated(let what): "truncated \(what)"
        case .unknownFieldType(let tag): "unknown field type \(tag) ('\(Unicode.Scalar(tag).escaped(asASCII: true))') in table"
        case .syntax(let what): what
        case .unknownMethod(let classID, let methodID): "unknown method class \(classID) method \(methodID)"
        case .badFrameEnd(let octet): "invalid frame end marker \(octet), expected 206"
        case .unknownFrameType(let type): "unknown frame type \(type)"
        case .frameTooLarge(let size, let max): "frame size \(size) larger than negotiated maximum \(max)"
        }
    }
}
