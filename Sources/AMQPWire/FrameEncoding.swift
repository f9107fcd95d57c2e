import NIOCore

/// Writing whole frames into an outbound buffer.
extension ByteBuffer {
    /// Writes a method frame.
    public mutating func writeMethodFrame(_ method: AMQPMethod, channel: UInt16) {
        writeFrame(kind: .method, channel: channel) { buffer in
            buffer.writeInteger(method.classID)
            buffer.writeInteger(method.methodID)
            method.encodeArguments(into: &buffer)
        }
    }

    /// Writes a content header frame carrying the properties bytes as they are.
    public mutating func writeContentHeaderFrame(_ header: ContentHeader, channel: UInt16) {
        writeFrame(kind: .header, channel: channel) { buffer in
            buffer.writeInteger(header.classID)
            buffer.writeInteger(UInt16(0))
            buffer.writeInteger(header.bodySize)
            var properties = header.propertyBytes
            buffer.writeBuffer(&properties)
        }
    }

    /// Writes a body as as many body frames as `frameMax` requires (none for an empty body).
    public mutating func writeBodyFrames(_ body: ByteBuffer, channel: UInt16, frameMax: UInt32) {
        let chunk = Frame.payloadLimit(frameMax: frameMax)
        var remaining = body
        while remaining.readableBytes > 0 {
            guard var piece = remaining.readSlice(length: Swift.min(chunk, remaining.readableBytes)) else { return }
            writeFrame(kind: .body, channel: channel) { buffer in buffer.writeBuffer(&piece) }
        }
    }

    /// Writes the type, channel and size of a body frame whose `size` payload octets are written
    /// apart (as their own buffer), to be followed by `Frame.end`.
    public mutating func writeBodyFrameStart(channel: UInt16, size: Int) {
        writeInteger(Frame.Kind.body.rawValue)
        writeInteger(channel)
        writeInteger(UInt32(size))
    }

    /// Writes a heartbeat frame (always on channel 0).
    public mutating func writeHeartbeatFrame() {
        writeFrame(kind: .heartbeat, channel: 0) { _ in }
    }

    /// Writes any decoded frame (used by tests and tools).
    public mutating func writeFrame(_ frame: Frame) {
        switch frame.payload {
        case .method(let method): writeMethodFrame(method, channel: frame.channel)
        case .header(let header): writeContentHeaderFrame(header, channel: frame.channel)
        case .body(let body): writeFrame(kind: .body, channel: frame.channel) { buffer in buffer.writeImmutableBuffer(body) }
        case .heartbeat: writeHeartbeatFrame()
        }
    }

    private mutating func writeFrame(kind: Frame.Kind, channel: UInt16, payload: (inout ByteBuffer) -> Void) {
        writeInteger(kind.rawValue)
        writeInteger(channel)
        let sizeIndex = writerIndex
        writeInteger(UInt32(0))
        payload(&self)
        setInteger(UInt32(writerIndex - sizeIndex - 4), at: sizeIndex)
        writeInteger(Frame.end)
    }
}
