import NIOCore

extension ByteBuffer {
    /// A copy of `buffer`'s readable bytes in storage of their own: a slice keeps all of its
    /// parent alive (a page file's stretch, a whole segment), a copy only itself.
    init(copyOf buffer: ByteBuffer) {
        self.init()
        reserveCapacity(buffer.readableBytes)
        writeImmutableBuffer(buffer)
    }
}
