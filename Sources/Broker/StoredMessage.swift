import AMQPWire
import NIOCore

/// A persistent message as the message log keeps it: what a paged message whose page record
/// cannot be read back is rebuilt from (`BodyPager.recover`).
public struct StoredMessage: Sendable {
    public var exchange: String
    public var routingKey: String
    /// The content header's property bytes, as received.
    public var properties: ByteBuffer
    public var body: ByteBuffer

    public init(exchange: String, routingKey: String, properties: ByteBuffer, body: ByteBuffer) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}

extension Message {
    /// The message a stored copy holds (a basic-class content header over its property bytes).
    convenience init(_ stored: StoredMessage) {
        let header = ContentHeader(bodySize: UInt64(stored.body.readableBytes), propertyBytes: stored.properties)
        self.init(exchange: stored.exchange, routingKey: stored.routingKey, header: header, body: stored.body)
    }
}
