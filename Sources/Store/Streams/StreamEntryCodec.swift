import AMQPWire
import Broker
import NIOCore

/// The bytes of one stream entry in a segment file (Docs/storage.md, "Streams"):
/// `length u32 | crc32 u32 | payload`, the payload being offset u64, timestamp i64, exchange,
/// routing key and filter value as short strings, then property bytes and body, each as
/// u32 length + bytes. Every length read is checked against the bytes there before it is used.
enum StreamEntryCodec {
    static let frameHeaderSize = 8
    /// An entry larger than this is damage: no message the broker accepts comes near it.
    static let maxPayload = 1 << 30

    static func write(_ entry: StreamEntry, to buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt64(0))  // length and checksum, set below
        buffer.writeInteger(entry.offset)
        buffer.writeInteger(entry.timestamp)
        buffer.writeShortString(entry.exchange)
        buffer.writeShortString(entry.routingKey)
        buffer.writeShortString(entry.filterValue)
        buffer.writeInteger(UInt32(entry.properties.readableBytes))
        buffer.writeImmutableBuffer(entry.properties)
        buffer.writeInteger(UInt32(entry.body.readableBytes))
        buffer.writeImmutableBuffer(entry.body)
        let payloadLength = buffer.writerIndex - start - frameHeaderSize
        let payloadStart = start + frameHeaderSize - buffer.readerIndex
        let checksum = buffer.withUnsafeReadableBytes { CRC32.checksum($0[payloadStart...]) }
        buffer.setInteger(UInt32(payloadLength), at: start)
        buffer.setInteger(checksum, at: start + 4)
    }

    /// What the bytes at the reader index hold.
    enum Decoded {
        /// A whole entry, `size` bytes with its frame header.
        case entry(StreamEntry, size: Int)
        /// The entry is `size` bytes in all; fewer are there.
        case incomplete(size: Int)
        /// Not an entry (a checksum or a field that does not hold): the log ends here.
        case damaged(String)
    }

    /// Reads the entry at the reader index without consuming it.
    static func decode(_ buffer: ByteBuffer) -> Decoded {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
              let checksum = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self) else {
            return .incomplete(size: frameHeaderSize)
        }
        guard length <= maxPayload else { return .damaged("entry length \(length) is beyond \(maxPayload)") }
        let size = frameHeaderSize + Int(length)
        guard var payload = buffer.getSlice(at: buffer.readerIndex + frameHeaderSize, length: Int(length)) else {
            return .incomplete(size: size)
        }
        guard payload.withUnsafeReadableBytes({ CRC32.checksum($0) }) == checksum else { return .damaged("checksum mismatch") }
        do {
            return .entry(try readPayload(&payload), size: size)
        } catch {
            return .damaged("\(error)")
        }
    }

    private static func readPayload(_ payload: inout ByteBuffer) throws -> StreamEntry {
        guard let offset = payload.readInteger(as: UInt64.self), offset < 1 << 63,
              let timestamp = payload.readInteger(as: Int64.self) else { throw WireError.truncated("stream entry header") }
        let exchange = try payload.readShortString()
        let routingKey = try payload.readShortString()
        let filterValue = try payload.readShortString()
        let properties = try readBytes(&payload)
        let body = try readBytes(&payload)
        guard payload.readableBytes == 0 else { throw WireError.truncated("stream entry header") }
        return StreamEntry(offset: offset, timestamp: timestamp, exchange: exchange, routingKey: routingKey,
                           filterValue: filterValue, properties: properties, body: body)
    }

    private static func readBytes(_ payload: inout ByteBuffer) throws -> ByteBuffer {
        guard let length = payload.readInteger(as: UInt32.self), let bytes = payload.readSlice(length: Int(length)) else {
            throw WireError.truncated("stream entry field")
        }
        return bytes
    }
}
