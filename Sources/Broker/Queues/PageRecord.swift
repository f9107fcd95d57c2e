import AMQPWire
import NIOCore

/// The bytes a paged message is written as: everything of it that its `PagedMessage` does not keep.
///
///     u32 exchange length, exchange (UTF-8), u32 routing-key length, routing key,
///     u16 class id, u64 body size, u32 property length, property bytes, body (the rest)
///
/// All integers big-endian. Lengths are checked against what was read, so a damaged record is
/// refused rather than trusted.
enum PageRecord {
    /// The record of a message.
    static func encode(_ message: Message) -> ByteBuffer {
        let exchange = message.exchange.utf8
        let routingKey = message.routingKey.utf8
        var record = ByteBuffer()
        record.reserveCapacity(fixedLength + exchange.count + routingKey.count + message.header.propertyBytes.readableBytes
                               + message.body.readableBytes)
        record.writeInteger(UInt32(clamping: exchange.count))
        record.writeBytes(exchange)
        record.writeInteger(UInt32(clamping: routingKey.count))
        record.writeBytes(routingKey)
        record.writeInteger(message.header.classID)
        record.writeInteger(message.header.bodySize)
        record.writeInteger(UInt32(clamping: message.header.propertyBytes.readableBytes))
        record.writeImmutableBuffer(message.header.propertyBytes)
        record.writeImmutableBuffer(message.body)
        return record
    }

    /// The message a record holds; nil when it is malformed.
    static func decode(_ record: ByteBuffer) -> Message? {
        var bytes = record
        guard let exchange = readString(&bytes), let routingKey = readString(&bytes),
              let classID = bytes.readInteger(as: UInt16.self), let bodySize = bytes.readInteger(as: UInt64.self),
              let propertyLength = bytes.readInteger(as: UInt32.self),
              let properties = bytes.readSlice(length: Int(propertyLength))
        else { return nil }
        let header = ContentHeader(classID: classID, bodySize: bodySize, propertyBytes: properties)
        return Message(exchange: exchange, routingKey: routingKey, header: header, body: bytes)
    }

    /// Bytes of a record beside its strings, property bytes and body.
    private static let fixedLength = 4 + 4 + 2 + 8 + 4

    private static func readString(_ bytes: inout ByteBuffer) -> String? {
        guard let length = bytes.readInteger(as: UInt32.self) else { return nil }
        return bytes.readString(length: Int(length))
    }
}
