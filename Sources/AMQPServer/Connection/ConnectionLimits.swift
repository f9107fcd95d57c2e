/// What one AMQP connection may hold beyond its tuning, under RabbitMQ's configuration names.
public struct ConnectionLimits: Sendable, Equatable {
    /// `handshake_timeout`: milliseconds from accept to connection.open-ok; a client still
    /// handshaking then is disconnected (RabbitMQ's default: 10 000).
    public var handshakeTimeoutMilliseconds: Int64
    /// `max_message_size`: the largest body a content header may announce; a bigger one closes the
    /// channel with 406 before any body is buffered (RabbitMQ 4's default: 16 MiB).
    public var maxMessageSize: UInt64

    /// RabbitMQ 4's defaults.
    public static let rabbitDefaults = ConnectionLimits(handshakeTimeoutMilliseconds: 10_000, maxMessageSize: 16 * 1024 * 1024)
    /// The largest `max_message_size` RabbitMQ accepts (512 MiB).
    public static let maxMessageSizeCeiling: UInt64 = 512 * 1024 * 1024

    public init(handshakeTimeoutMilliseconds: Int64, maxMessageSize: UInt64) {
        self.handshakeTimeoutMilliseconds = handshakeTimeoutMilliseconds
        self.maxMessageSize = maxMessageSize
    }
}
