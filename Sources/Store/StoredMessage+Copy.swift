import Broker
import NIOCore

extension StoredMessage {
    /// The message of a publish record read from a segment, its property bytes and body copied
    /// into one buffer of their own: a slice would keep the whole segment's buffer alive.
    init(exchange: String, routingKey: String, copying properties: ByteBuffer, _ body: ByteBuffer) {
        var bytes = ByteBufferAllocator().buffer(capacity: properties.readableBytes + body.readableBytes)
        bytes.writeImmutableBuffer(properties)
        bytes.writeImmutableBuffer(body)
        var ownProperties = bytes
        ownProperties.moveWriterIndex(to: ownProperties.readerIndex + properties.readableBytes)
        bytes.moveReaderIndex(forwardBy: properties.readableBytes)
        self.init(exchange: exchange, routingKey: routingKey, properties: ownProperties, body: bytes)
    }
}
