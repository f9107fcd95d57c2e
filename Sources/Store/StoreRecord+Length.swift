import NIOCore

extension StoreRecord {
    /// The bytes `write(to:)` appends for this record, header included: what the message log counts
    /// towards a segment's size before the writer thread encodes the record. Exact, except that a
    /// short string over 255 bytes counts 255 where the writer cuts it shorter at a character boundary.
    var encodedLength: Int { Self.headerSize + payloadLength }

    private var payloadLength: Int {
        switch self {
        case .publish(_, let vhost, let queues, let exchange, let routingKey, let properties, let body, _):
            // kind, id, publish time, queue count, two u32 lengths
            var length = 1 + 8 + 8 + 4 + 4 + 4 + properties.readableBytes + body.readableBytes
            length += Self.shortStringLength(vhost) + Self.shortStringLength(exchange) + Self.shortStringLength(routingKey)
            for queue in queues { length += Self.shortStringLength(queue) }
            return length
        case .delivered(_, let queue), .removed(_, let queue):
            return 1 + 8 + Self.shortStringLength(queue)
        case .group(let records):
            // kind, count, then a u32 length before each record's payload
            return records.reduce(1 + 8) { $0 + 4 + $1.payloadLength }
        }
    }

    private static func shortStringLength(_ text: String) -> Int { 1 + min(255, text.utf8.count) }
}
