import AMQPClient
import AMQPWire
import Broker
import NIOCore

/// One local delivery on its way upstream: the local delivery tag to ack once the upstream
/// confirmed it, the message as published upstream, and how often it failed there.
struct ForwardedMessage: Sendable {
    static let nodeHeader = "x-warren-node"
    static let errorHeader = "x-warren-upstream-error"
    static let upstreamHeader = "x-warren-upstream"

    let localTag: UInt64
    var outgoing: OutgoingMessage
    var failures = 0

    /// The delivery as it goes upstream: same routing key, properties and headers, plus
    /// `x-warren-node`; throws when the stored properties cannot be decoded.
    init(localTag: UInt64, routingKey: String, header: ContentHeader, body: ByteBuffer, exchange: String, node: String) throws(WireError) {
        var properties = try header.properties()
        var headers = properties.headers ?? [:]
        headers[Self.nodeHeader] = .longString(node)
        properties.headers = headers
        self.localTag = localTag
        outgoing = OutgoingMessage(exchange: exchange, routingKey: routingKey, properties: properties, body: body)
    }

    /// The content header of the copy parked in the local dead-letter queue: persistent, with the reason.
    func deadLetterHeader(upstream: String, reason: String) -> ContentHeader {
        var properties = outgoing.properties
        var headers = properties.headers ?? [:]
        headers[Self.errorHeader] = .longString(reason)
        headers[Self.upstreamHeader] = .longString(upstream)
        headers["x-warren-routing-key"] = .longString(outgoing.routingKey)
        properties.headers = headers
        properties.deliveryMode = 2
        return ContentHeader(bodySize: UInt64(outgoing.body.readableBytes), properties: properties)
    }
}
