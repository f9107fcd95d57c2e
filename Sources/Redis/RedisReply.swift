/// A Redis (RESP2) reply as a Swift value.
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case array([RedisReply])
    case null

    /// The reply as text: bulk strings and status replies; nil otherwise.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The reply as an integer: integer replies and numeric bulk strings.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk: string.flatMap { Int64($0) }
        default: nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

/// Why a Redis call failed.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached or the connection broke (hiredis' context error).
    case connection(String)
    /// The server answered with an error reply.
    case server(String)

    public var description: String {
        switch self {
        case .connection(let reason): "redis connection: \(reason)"
        case .server(let reason): "redis: \(reason)"
        }
    }
}
