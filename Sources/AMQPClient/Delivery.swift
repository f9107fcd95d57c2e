import AMQPWire
import NIOCore

/// A message received by a consumer (basic.deliver) or returned by basic.get / basic.return.
public struct Delivery: Sendable {
    public var consumerTag: String
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    public var header: ContentHeader
    public var body: ByteBuffer

    public var properties: BasicProperties { (try? header.properties()) ?? BasicProperties() }
}
