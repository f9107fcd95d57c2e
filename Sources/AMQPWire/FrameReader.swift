import NIOCore

/// Feeds socket reads to a `FrameDecoder` without gathering them into one buffer: frames are
/// decoded in place, as slices of the read they arrived in, and only the start of a frame cut by
/// the end of a read is carried over and completed with just the bytes it lacks. A body frame is
/// never carried (the decoder hands its bytes on in pieces), so a body costs no copy here.
///
/// Between reads it holds no reference to a read, so NIO can reuse a read buffer nobody kept.
public struct FrameReader {
    public var decoder: FrameDecoder
    /// The start of a frame cut by the end of a read.
    private var carried: ByteBuffer?
    /// The latest read, decoded in place.
    private var read: ByteBuffer?

    public init(decoder: FrameDecoder) {
        self.decoder = decoder
    }

    /// Takes the next read; call `next()` until it returns nil before appending again.
    public mutating func append(_ bytes: ByteBuffer) {
        if var unread = read.take(), unread.readableBytes > 0 { carry(&unread) }
        read = bytes
    }

    /// The next unit decoded from what was appended, or nil when more bytes are needed.
    /// Throws what the decoder throws; after that the reader must not be used again.
    public mutating func next() throws -> InboundUnit? {
        while true {
            if var start = carried.take() {
                defer { if start.readableBytes > 0 { carried = start } }
                if let unit = try decoder.decode(buffer: &start) { return unit }
                guard start.readableBytes > 0 else { continue }
                guard var bytes = read.take(), bytes.readableBytes > 0 else { return nil }
                var missing = bytes.readSlice(length: min(decoder.bytesMissing(in: start), bytes.readableBytes))!  // length checked
                start.writeBuffer(&missing)
                if bytes.readableBytes > 0 { read = bytes }
                continue
            }
            guard var bytes = read.take(), bytes.readableBytes > 0 else { return nil }
            let before = bytes.readableBytes
            let unit = try decoder.decode(buffer: &bytes)
            if bytes.readableBytes > 0 {
                if unit == nil && bytes.readableBytes == before { carry(&bytes) } else { read = bytes }
            }
            if let unit { return unit }
        }
    }

    /// Drops whatever was appended and not yet decoded.
    public mutating func discard() {
        carried = nil
        read = nil
    }

    /// Keeps the incomplete frame at the end of a read: a slice of it, copied only once the
    /// next read's bytes are written behind it.
    private mutating func carry(_ bytes: inout ByteBuffer) {
        carried = bytes.readSlice(length: bytes.readableBytes)
    }
}
