import NIOCore

/// One decoded AMQP frame: the channel it belongs to and what it carries.
public struct Frame: Sendable, Equatable {
    /// What a frame carries, by frame type.
    public enum Payload: Sendable, Equatable {
        case method(AMQPMethod)
        case header(ContentHeader)
        /// Body octets: a body frame's payload, or a piece of one whose payload is still arriving.
        case body(ByteBuffer)
        case heartbeat
    }

    /// Frame type octets.
    public enum Kind: UInt8, Sendable {
        case method = 1
        case header = 2
        case body = 3
        case heartbeat = 8
    }

    /// The octet that ends every frame.
    public static let end: UInt8 = 0xCE
    /// Type, channel and size in front of the payload, plus the end octet.
    public static let overhead = 8
    /// The smallest frame_max a peer may negotiate, and the limit before tuning.
    public static let minimumSize: UInt32 = 4096

    public var channel: UInt16
    public var payload: Payload

    /// The most payload octets a frame may carry under `frameMax` (0: no limit but the size field's).
    public static func payloadLimit(frameMax: UInt32) -> Int {
        frameMax == 0 ? Int(UInt32.max) : Swift.max(1, Int(frameMax) - overhead)
    }

    public init(channel: UInt16, payload: Payload) {
        self.channel = channel
        self.payload = payload
    }
}

/// A content header frame: the body size and the basic properties, kept as the bytes that arrived.
public struct ContentHeader: Sendable, Equatable {
    public var classID: UInt16
    public var bodySize: UInt64
    /// The property flags and property list exactly as received, so they can be sent on unchanged.
    public var propertyBytes: ByteBuffer

    public init(classID: UInt16 = 60, bodySize: UInt64, propertyBytes: ByteBuffer) {
        self.classID = classID
        self.bodySize = bodySize
        self.propertyBytes = propertyBytes
    }

    public init(classID: UInt16 = 60, bodySize: UInt64, properties: BasicProperties) {
        var bytes = ByteBuffer()
        properties.encode(into: &bytes)
        self.init(classID: classID, bodySize: bodySize, propertyBytes: bytes)
    }

    /// Decodes the properties; fails on malformed property bytes.
    public func properties() throws(WireError) -> BasicProperties {
        var bytes = propertyBytes
        return try BasicProperties(from: &bytes)
    }
}

/// The eight octets a client sends first.
public enum ProtocolHeader {
    /// `AMQP 0 0 9 1`, also what the server answers to a header it does not accept.
    public static let bytes: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0, 0, 9, 1]
}

extension ContentHeader {
    /// delivery-mode and priority, read without decoding the other properties (the broker's hot path).
    /// Malformed property bytes give nil for both.
    public var deliveryModeAndPriority: (deliveryMode: UInt8?, priority: UInt8?) {
        var bytes = propertyBytes
        guard let flags = bytes.readInteger(as: UInt16.self) else { return (nil, nil) }
        let hasDeliveryMode = flags & 0x1000 != 0
        let hasPriority = flags & 0x0800 != 0
        guard hasDeliveryMode || hasPriority else { return (nil, nil) }
        do throws(WireError) {
            if flags & 0x8000 != 0 { try bytes.skipShortString() }  // content-type
            if flags & 0x4000 != 0 { try bytes.skipShortString() }  // content-encoding
            if flags & 0x2000 != 0 {                                 // headers
                let length = Int(try bytes.readLong())
                guard bytes.readableBytes >= length else { return (nil, nil) }
                bytes.moveReaderIndex(forwardBy: length)
            }
            let deliveryMode = hasDeliveryMode ? try bytes.readOctet() : nil
            let priority = hasPriority ? try bytes.readOctet() : nil
            return (deliveryMode, priority)
        } catch {
            return (nil, nil)
        }
    }
}

extension ByteBuffer {
    mutating func skipShortString() throws(WireError) {
        let length = Int(try readOctet())
        guard readableBytes >= length else { throw .truncated("short string") }
        moveReaderIndex(forwardBy: length)
    }
}
