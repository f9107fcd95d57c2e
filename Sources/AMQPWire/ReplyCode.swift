/// AMQP 0-9-1 reply codes, with the names RabbitMQ puts in front of its reply texts.
public enum ReplyCode: UInt16, Sendable, CaseIterable {
    case success = 200
    case contentTooLarge = 311
    case noRoute = 312
    case noConsumers = 313
    case connectionForced = 320
    case invalidPath = 402
    case accessRefused = 403
    case notFound = 404
    case resourceLocked = 405
    case preconditionFailed = 406
    case frameError = 501
    case syntaxError = 502
    case commandInvalid = 503
    case channelError = 504
    case unexpectedFrame = 505
    case resourceError = 506
    case notAllowed = 530
    case notImplemented = 540
    case internalError = 541

    /// The upper-case name, as in `NOT_FOUND - no queue 'x' in vhost '/'`.
    public var name: String {
        switch self {
        case .success: "OK"
        case .contentTooLarge: "CONTENT_TOO_LARGE"
        case .noRoute: "NO_ROUTE"
        case .noConsumers: "NO_CONSUMERS"
        case .connectionForced: "CONNECTION_FORCED"
        case .invalidPath: "INVALID_PATH"
        case .accessRefused: "ACCESS_REFUSED"
        case .notFound: "NOT_FOUND"
        case .resourceLocked: "RESOURCE_LOCKED"
        case .preconditionFailed: "PRECONDITION_FAILED"
        case .frameError: "FRAME_ERROR"
        case .syntaxError: "SYNTAX_ERROR"
        case .commandInvalid: "COMMAND_INVALID"
        case .channelError: "CHANNEL_ERROR"
        case .unexpectedFrame: "UNEXPECTED_FRAME"
        case .resourceError: "RESOURCE_ERROR"
        case .notAllowed: "NOT_ALLOWED"
        case .notImplemented: "NOT_IMPLEMENTED"
        case .internalError: "INTERNAL_ERROR"
        }
    }

    /// Whether the error closes the whole connection rather than one channel.
    public var isHardError: Bool {
        switch self {
        case .connectionForced, .invalidPath, .frameError, .syntaxError, .commandInvalid,
             .channelError, .unexpectedFrame, .resourceError, .notAllowed, .notImplemented,
             .internalError:
            true
        default:
            false
        }
    }
}

/// A reply code with its text, as carried by connection.close and channel.close.
public struct AMQPError: Error, Equatable, Sendable {
    public var code: ReplyCode
    public var text: String
    /// The method that caused the error (0, 0 when none).
    public var classID: UInt16
    public var methodID: UInt16

    /// Builds an error whose text is `NAME - explanation`, as RabbitMQ writes it.
    public init(_ code: ReplyCode, _ explanation: String, classID: UInt16 = 0, methodID: UInt16 = 0) {
        self.code = code
        self.text = "\(code.name) - \(explanation)"
        self.classID = classID
        self.methodID = methodID
    }

    /// The same error attributed to a method.
    public func caused(by method: AMQPMethod) -> AMQPError {
        var copy = self
        copy.classID = method.classID
        copy.methodID = method.methodID
        return copy
    }
}
