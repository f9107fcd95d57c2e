import AMQPWire
import NIOCore

/// A published message as the broker holds it: immutable, shared by every queue it is routed to.
/// The content header's property bytes and the body stay the buffers they arrived in.
public final class Message: Sendable {
    public let exchange: String
    public let routingKey: String
    public let header: ContentHeader
    public let body: ByteBuffer
    /// delivery-mode 2.
    public let persistent: Bool
    /// The `priority` property (0 when absent).
    public let priority: UInt8
    /// Whether the `expiration` property is set (read from the property flags only).
    let hasExpiration: Bool

    public init(exchange: String, routingKey: String, header: ContentHeader, body: ByteBuffer) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.header = header
        self.body = body
        let (deliveryMode, priority) = header.deliveryModeAndPriority
        self.persistent = deliveryMode == 2
        self.priority = priority ?? 0
        self.hasExpiration = header.propertyBytes.getInteger(at: header.propertyBytes.readerIndex, as: UInt16.self)
            .map { $0 & 0x0100 != 0 } ?? false
    }

    /// The decoded properties (decoded on demand: most messages never need them).
    public var properties: BasicProperties {
        (try? header.properties()) ?? BasicProperties()
    }

    /// Bytes this message holds in memory, for the memory alarm: body, property bytes, and the
    /// bookkeeping around them (measured: about 290 bytes beyond the payload, see Docs/benchmarks.md).
    public var footprint: Int { body.readableBytes + header.propertyBytes.readableBytes + 290 }
}

/// What the broker sends back to a connection, in the order it must be written.
public enum Outbound: Sendable {
    /// A method frame on a channel.
    case method(UInt16, AMQPMethod)
    /// A method followed by content (basic.deliver, basic.get-ok, basic.return).
    case content(UInt16, AMQPMethod, ContentHeader, ByteBuffer)
    /// A soft error: the connection closes this channel with channel.close.
    case closeChannel(UInt16, AMQPError)
    /// A hard error: the connection closes with connection.close.
    case closeConnection(AMQPError)
}

/// A method, publish or lifecycle event from one connection, handed to the broker in batches.
public enum BrokerCommand: Sendable {
    case channelOpened(UInt16)
    case method(UInt16, AMQPMethod)
    case publish(UInt16, BasicPublish, ContentHeader, ByteBuffer)
    case channelClosed(UInt16)
    /// The client sent channel.close: release the channel and answer close-ok after everything before it.
    case channelCloseRequested(UInt16)
    /// The client sent connection.close: answer close-ok after everything before it.
    case connectionCloseRequested
    /// The connection wrote this many bytes (`Outbound.creditBytes`) of what it was sent: credit returned.
    case outboundWritten(Int)
    /// The connection's socket stopped (false) or started again (true) taking writes.
    case writabilityChanged(Bool)
}

/// Where the broker delivers a connection's outbound items; the server implements it by hopping
/// to the connection's event loop once per batch.
public protocol BrokerOutlet: AnyObject, Sendable {
    func deliver(_ batch: [Outbound])
    /// Publisher credit: stop (true) or resume (false) taking the connection's input, because a
    /// queue it publishes to is behind its consumers (`BacklogPressure`). Not connection.blocked.
    func holdPublishing(_ held: Bool)
}
