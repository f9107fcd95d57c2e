import AMQPWire
import NIOCore

/// What a connection writes next, as the list of buffers to hand to the socket in order.
///
/// Frames are encoded into a small buffer; a body of `separateBodySize` bytes or more is not
/// copied into it but written as the buffer it is held in (a slice per body frame), between the
/// frame's start and its end octet, so NIO passes it to the kernel as it is (one `writev`).
struct FrameOutput {
    /// Bodies from this size up are written as their own buffers; a smaller one is cheaper to copy
    /// than to write separately.
    static let separateBodySize = 4096
    /// The capacity of each new encoding buffer (it grows when a burst of frames needs more).
    static let encodingCapacity = 1024

    /// Frames being encoded, after everything in `ready`.
    var frames: ByteBuffer
    /// Buffers complete and waiting to be written, in order.
    private var ready: [ByteBuffer] = []
    private let allocator: ByteBufferAllocator

    init(allocator: ByteBufferAllocator) {
        self.allocator = allocator
        self.frames = allocator.buffer(capacity: Self.encodingCapacity)
    }

    var isEmpty: Bool { ready.isEmpty && frames.readableBytes == 0 }

    /// Writes a method with its content (basic.deliver, get-ok, return): header frame and body frames.
    mutating func writeContent(_ method: AMQPMethod, header: ContentHeader, body: ByteBuffer, channel: UInt16, frameMax: UInt32) {
        frames.writeMethodFrame(method, channel: channel)
        frames.writeContentHeaderFrame(header, channel: channel)
        guard body.readableBytes >= Self.separateBodySize else {
            frames.writeBodyFrames(body, channel: channel, frameMax: frameMax)
            return
        }
        let chunk = Frame.payloadLimit(frameMax: frameMax)
        var remaining = body
        while remaining.readableBytes > 0, let piece = remaining.readSlice(length: min(chunk, remaining.readableBytes)) {
            frames.writeBodyFrameStart(channel: channel, size: piece.readableBytes)
            ready.append(frames)
            ready.append(piece)
            frames = allocator.buffer(capacity: Self.encodingCapacity)
            frames.writeInteger(Frame.end)
        }
    }

    /// Everything to write, in order; the output is empty afterwards.
    mutating func take() -> [ByteBuffer] {
        var buffers = ready
        ready = []
        if frames.readableBytes > 0 { buffers.append(frames) }
        frames = allocator.buffer(capacity: Self.encodingCapacity)
        return buffers
    }
}
