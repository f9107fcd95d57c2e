import AMQPWire
import NIOCore

/// One record of the message log. On disk: `length u32 | crc32 u32 | payload`, where the
/// checksum covers the payload and the payload starts with the record kind. The kind versions
/// the payload: kind 1 is the first publish format (u16 queue count, no publish time), still
/// read; kind 5 is the current one (u32 queue count, publish time).
public enum StoreRecord: Equatable, Sendable {
    /// A persistent message routed to durable queues; stored once for all of them. `publishedAt`
    /// is the broker's clock (ms since 1970) at publish; 0 when unknown (kind-1 records).
    case publish(id: UInt64, vhost: String, queues: [String], exchange: String, routingKey: String,
                 properties: ByteBuffer, body: ByteBuffer, publishedAt: Int64 = 0)
    /// The message was delivered from the queue (so it comes back redelivered after a restart).
    case delivered(id: UInt64, queue: String)
    /// The message was acknowledged (or otherwise removed) from the queue.
    case removed(id: UInt64, queue: String)
    /// Records that stand or fall together (a committed transaction): one checksum covers all.
    indirect case group([StoreRecord])

    static let headerSize = 8
    /// Message ids at recovery are below this.
    static let idLimit: UInt64 = 1 << 63

    /// Appends the framed record.
    func write(to buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(UInt32(0))
        let payloadStart = buffer.writerIndex
        writePayload(to: &buffer)
        let length = buffer.writerIndex - payloadStart
        let checksum = buffer.withUnsafeReadableBytes { bytes in
            CRC32.checksum(bytes[(payloadStart - buffer.readerIndex)...])
        }
        buffer.setInteger(UInt32(length), at: start)
        buffer.setInteger(checksum, at: start + 4)
    }

    private func writePayload(to buffer: inout ByteBuffer) {
        switch self {
        case .publish(let id, let vhost, let queues, let exchange, let routingKey, let properties, let body, let publishedAt):
            buffer.writeInteger(Kind.publish.rawValue)
            buffer.writeInteger(id)
            buffer.writeInteger(publishedAt)
            buffer.writeShortString(vhost)
            buffer.writeInteger(UInt32(clamping: queues.count))
            for queue in queues { buffer.writeShortString(queue) }
            buffer.writeShortString(exchange)
            buffer.writeShortString(routingKey)
            buffer.writeInteger(UInt32(properties.readableBytes))
            buffer.writeImmutableBuffer(properties)
            buffer.writeInteger(UInt32(body.readableBytes))
            buffer.writeImmutableBuffer(body)
        case .delivered(let id, let queue):
            buffer.writeInteger(Kind.delivered.rawValue)
            buffer.writeInteger(id)
            buffer.writeShortString(queue)
        case .removed(let id, let queue):
            buffer.writeInteger(Kind.removed.rawValue)
            buffer.writeInteger(id)
            buffer.writeShortString(queue)
        case .group(let records):
            buffer.writeInteger(Kind.group.rawValue)
            buffer.writeInteger(UInt64(records.count))
            for record in records {
                let lengthIndex = buffer.writerIndex
                buffer.writeInteger(UInt32(0))
                record.writePayload(to: &buffer)
                buffer.setInteger(UInt32(buffer.writerIndex - lengthIndex - 4), at: lengthIndex)
            }
        }
    }

    /// The payload's first byte.
    enum Kind: UInt8 {
        case publishVersion1 = 1, delivered = 2, removed = 3, group = 4, publish = 5
    }

    /// What reading one record from a log gave.
    enum ReadResult {
        case record(StoreRecord)
        /// Not enough bytes left for the record: the torn tail of a crash.
        case torn
        /// The checksum does not match, or the payload does not parse.
        case corrupt(String)
        case end
    }

    static func read(from buffer: inout ByteBuffer) -> ReadResult {
        guard buffer.readableBytes > 0 else { return .end }
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
              let checksum = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self),
              buffer.readableBytes - headerSize >= Int(length)
        else { return .torn }
        buffer.moveReaderIndex(forwardBy: headerSize)
        guard var payload = buffer.readSlice(length: Int(length)) else { return .torn }
        let actual = payload.withUnsafeReadableBytes { CRC32.checksum($0) }
        guard actual == checksum else { return .corrupt("checksum mismatch") }
        do {
            return .record(try decodePayload(&payload))
        } catch {
            return .corrupt("\(error)")
        }
    }

    private static func decodePayload(_ payload: inout ByteBuffer) throws(WireError) -> StoreRecord {
        guard let kindByte = payload.readInteger(as: UInt8.self), let id = payload.readInteger(as: UInt64.self) else {
            throw .truncated("store record")
        }
        guard let kind = Kind(rawValue: kindByte) else { throw .syntax("unknown store record kind \(kindByte)") }
        // Ids are allocated upwards from 1 and stay far below 2^63; a larger one is damage, and
        // would leave no room to allocate after it. A group's count is bounded by its payload.
        guard id < Self.idLimit || kind == .group else { throw .syntax("message id \(id) out of range") }
        switch kind {
        case .publishVersion1, .publish:
            var publishedAt: Int64 = 0
            if kind == .publish {
                guard let time = payload.readInteger(as: Int64.self) else { throw .truncated("publish time") }
                publishedAt = time
            }
            let vhost = try payload.readShortString()
            let count: UInt32? = kind == .publish ? payload.readInteger(as: UInt32.self) : payload.readInteger(as: UInt16.self).map(UInt32.init)
            guard let count else { throw .truncated("queue count") }
            var queues: [String] = []  // not reserved: the count is checked only by reading that many names
            for _ in 0..<count { queues.append(try payload.readShortString()) }
            let exchange = try payload.readShortString()
            let routingKey = try payload.readShortString()
            guard let propertiesLength = payload.readInteger(as: UInt32.self),
                  let properties = payload.readSlice(length: Int(propertiesLength)),
                  let bodyLength = payload.readInteger(as: UInt32.self),
                  let body = payload.readSlice(length: Int(bodyLength))
            else { throw .truncated("message") }
            return .publish(id: id, vhost: vhost, queues: queues, exchange: exchange, routingKey: routingKey,
                            properties: properties, body: body, publishedAt: publishedAt)
        case .delivered:
            return .delivered(id: id, queue: try payload.readShortString())
        case .removed:
            return .removed(id: id, queue: try payload.readShortString())
        case .group:
            var records: [StoreRecord] = []
            for _ in 0..<id {  // for a group, the id field holds the record count
                guard let length = payload.readInteger(as: UInt32.self), var nested = payload.readSlice(length: Int(length)) else {
                    throw .truncated("grouped record")
                }
                let record = try decodePayload(&nested)
                if case .group = record { throw .syntax("nested record group") }
                records.append(record)
            }
            return .group(records)
        }
    }
}
