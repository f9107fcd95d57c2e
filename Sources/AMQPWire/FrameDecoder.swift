import NIOCore

/// What the frame decoder produces: the protocol header once (server side), then frames.
public enum InboundUnit: Sendable, Equatable {
    /// The first eight octets; `accepted` is false when they are not `AMQP 0 0 9 1`.
    case protocolHeader(accepted: Bool)
    case frame(Frame)
}

/// A frame that could not be decoded, with the channel it arrived on.
public struct FrameDecodingError: Error, Equatable, Sendable {
    public var error: WireError
    public var channel: UInt16
    /// The method being decoded when the error happened, if any.
    public var classID: UInt16
    public var methodID: UInt16

    public init(error: WireError, channel: UInt16, classID: UInt16 = 0, methodID: UInt16 = 0) {
        self.error = error
        self.channel = channel
        self.classID = classID
        self.methodID = methodID
    }
}

/// Splits a byte stream into AMQP frames and decodes them; never traps on any input.
///
/// A body frame whose payload has not all arrived is handed on in pieces, each a slice of the
/// bytes read, so whoever assembles a body gathers it once (it is never gathered into a frame
/// first). The last piece of a body frame comes only with its verified end octet.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = InboundUnit

    /// Frames whose payload is larger than `frameMax - 8` are refused (FRAME_ERROR).
    public var frameMax: UInt32
    private var stage: Stage

    private enum Stage {
        case protocolHeader
        case frames
        /// Inside a body frame on `channel`: `remaining` payload octets (at least one), then the end octet.
        case body(channel: UInt16, remaining: Int)
        /// The protocol header was refused: the connection ends, whatever else arrives is dropped.
        case refused
    }

    /// `expectProtocolHeader` is true on the server, which reads `AMQP 0 0 9 1` first.
    public init(expectProtocolHeader: Bool, frameMax: UInt32 = Frame.minimumSize) {
        self.stage = expectProtocolHeader ? .protocolHeader : .frames
        self.frameMax = frameMax
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> InboundUnit? {
        switch stage {
        case .frames:
            return try decodeFrame(buffer: &buffer).map(InboundUnit.frame)
        case .body(let channel, let remaining):
            return try decodeBodyPiece(channel: channel, remaining: remaining, buffer: &buffer).map(InboundUnit.frame)
        case .refused:
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return nil
        case .protocolHeader:
            let seen = buffer.readableBytesView.prefix(8)
            // A short but already wrong prefix is answered at once, as a wrong whole header is.
            guard ProtocolHeader.bytes.starts(with: seen) else {
                stage = .refused
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                return .protocolHeader(accepted: false)
            }
            guard seen.count == 8 else { return nil }
            buffer.moveReaderIndex(forwardBy: 8)
            stage = .frames
            return .protocolHeader(accepted: true)
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> InboundUnit? {
        try decode(buffer: &buffer)
    }

    /// How many more octets `decode` needs to make progress after it returned nil on `buffer` (at least 1).
    public func bytesMissing(in buffer: ByteBuffer) -> Int {
        let readable = buffer.readableBytes
        switch stage {
        case .protocolHeader:
            return max(1, ProtocolHeader.bytes.count - readable)
        case .body(_, let remaining):
            return max(1, remaining + 1 - readable)
        case .refused:
            return 1
        case .frames:
            guard let size = buffer.getInteger(at: buffer.readerIndex + 3, as: UInt32.self) else { return max(1, 7 - readable) }
            return max(1, Frame.overhead + Int(size) - readable)
        }
    }

    private mutating func decodeFrame(buffer: inout ByteBuffer) throws(FrameDecodingError) -> Frame? {
        guard let (typeOctet, channel, size) = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)
            .flatMap({ type in
                buffer.getInteger(at: buffer.readerIndex + 1, as: UInt16.self).flatMap { channel in
                    buffer.getInteger(at: buffer.readerIndex + 3, as: UInt32.self).map { (type, channel, $0) }
                }
            })
        else { return nil }
        let overhead = UInt32(Frame.overhead)
        let limit = frameMax == 0 ? UInt32.max : (frameMax > overhead ? frameMax - overhead : 0)
        guard size <= limit else {
            throw FrameDecodingError(error: .frameTooLarge(size: size, max: limit), channel: channel, classID: 0, methodID: 0)
        }
        guard buffer.readableBytes >= Frame.overhead + Int(size) else {
            guard typeOctet == Frame.Kind.body.rawValue, size > 0 else { return nil }
            buffer.moveReaderIndex(forwardBy: 7)
            return try decodeBodyPiece(channel: channel, remaining: Int(size), buffer: &buffer)
        }
        buffer.moveReaderIndex(forwardBy: 7)
        var payload = buffer.readSlice(length: Int(size))!  // length checked above
        let endOctet = buffer.readInteger(as: UInt8.self)!  // length checked above
        guard endOctet == Frame.end else {
            throw FrameDecodingError(error: .badFrameEnd(endOctet), channel: channel, classID: 0, methodID: 0)
        }
        guard let kind = Frame.Kind(rawValue: typeOctet) else {
            throw FrameDecodingError(error: .unknownFrameType(typeOctet), channel: channel, classID: 0, methodID: 0)
        }
        return Frame(channel: channel, payload: try Self.decodePayload(kind: kind, channel: channel, payload: &payload))
    }

    /// The next piece of a body frame's payload: what has arrived, except that the last octet
    /// waits for the end octet, which is checked before the last piece is handed on.
    private mutating func decodeBodyPiece(channel: UInt16, remaining: Int, buffer: inout ByteBuffer) throws(FrameDecodingError) -> Frame? {
        if buffer.readableBytes > remaining {
            let piece = buffer.readSlice(length: remaining)!  // length checked above
            let endOctet = buffer.readInteger(as: UInt8.self)!  // length checked above
            guard endOctet == Frame.end else {
                throw FrameDecodingError(error: .badFrameEnd(endOctet), channel: channel, classID: 0, methodID: 0)
            }
            stage = .frames
            return Frame(channel: channel, payload: .body(piece))
        }
        stage = .body(channel: channel, remaining: remaining)
        let length = min(buffer.readableBytes, remaining - 1)
        guard length > 0, let piece = buffer.readSlice(length: length) else { return nil }
        stage = .body(channel: channel, remaining: remaining - length)
        return Frame(channel: channel, payload: .body(piece))
    }

    private static func decodePayload(kind: Frame.Kind, channel: UInt16, payload: inout ByteBuffer) throws(FrameDecodingError) -> Frame.Payload {
        switch kind {
        case .method:
            guard let classID = payload.readInteger(as: UInt16.self),
                  let methodID = payload.readInteger(as: UInt16.self)
            else {
                throw FrameDecodingError(error: .truncated("method frame"), channel: channel, classID: 0, methodID: 0)
            }
            do {
                return .method(try AMQPMethod.decodeArguments(classID: classID, methodID: methodID, from: &payload))
            } catch {
                throw FrameDecodingError(error: error, channel: channel, classID: classID, methodID: methodID)
            }
        case .header:
            guard let classID = payload.readInteger(as: UInt16.self),
                  payload.readInteger(as: UInt16.self) != nil,
                  let bodySize = payload.readInteger(as: UInt64.self),
                  payload.readableBytes >= 2
            else {
                throw FrameDecodingError(error: .truncated("content header"), channel: channel, classID: 0, methodID: 0)
            }
            return .header(ContentHeader(classID: classID, bodySize: bodySize, propertyBytes: payload))
        case .body:
            return .body(payload)
        case .heartbeat:
            return .heartbeat
        }
    }
}
