import NIOCore

/// One entry of a stream: what was published, with the offset and time the stream gave it.
/// Property bytes and body are the content header's property bytes and the body as published.
public struct StreamEntry: Sendable {
    /// Assigned by the stream on append (one more than the previous entry's); ignored on input.
    public var offset: UInt64
    /// Milliseconds since 1970, never smaller than the previous entry's.
    public var timestamp: Int64
    public var exchange: String
    public var routingKey: String
    /// The publisher's `x-stream-filter-value` header (empty when it gave none).
    public var filterValue: String
    public var properties: ByteBuffer
    public var body: ByteBuffer

    public init(offset: UInt64 = 0, timestamp: Int64, exchange: String, routingKey: String, filterValue: String = "",
                properties: ByteBuffer, body: ByteBuffer) {
        self.offset = offset
        self.timestamp = timestamp
        self.exchange = exchange
        self.routingKey = routingKey
        self.filterValue = filterValue
        self.properties = properties
        self.body = body
    }
}
