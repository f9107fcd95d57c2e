import AMQPWire
import NIOCore

/// Keeps a queued message from holding on to buffers far larger than itself.
///
/// A message's property bytes and body are slices of the buffers they arrived in: a socket read
/// (up to 64 KiB, shared with the frames around it) or a buffer gathered for a body that came in
/// pieces. Queued, a slice keeps its whole buffer alive. When the body's buffer is more than
/// `maximumOverhead` times the message's size, property bytes and body are copied into one
/// right-sized buffer (one allocation, a short memcpy, on the connection's loop). Otherwise the
/// body (large, alone or nearly so in its buffer) is kept as it is and only the property bytes,
/// a few dozen octets, get their own buffer. Either way a message keeps alive at most
/// `maximumOverhead` times its size, so a backlog costs about what it holds.
enum ContentCompaction {
    /// How many times a message's own size the buffers it keeps alive may be.
    static let maximumOverhead = 4

    static func compact(_ header: ContentHeader, _ body: ByteBuffer, allocator: ByteBufferAllocator) -> (ContentHeader, ByteBuffer) {
        let propertyLength = header.propertyBytes.readableBytes
        let bodyLength = body.readableBytes
        let keepsBody = body.storageCapacity / maximumOverhead <= propertyLength + bodyLength
        var storage = allocator.buffer(capacity: keepsBody ? propertyLength : propertyLength + bodyLength)
        storage.writeImmutableBuffer(header.propertyBytes)
        if !keepsBody { storage.writeImmutableBuffer(body) }
        guard let properties = storage.readSlice(length: propertyLength) else { return (header, body) }
        let compact = ContentHeader(classID: header.classID, bodySize: header.bodySize, propertyBytes: properties)
        guard !keepsBody, let compactBody = storage.readSlice(length: bodyLength) else { return (compact, body) }
        return (compact, compactBody)
    }
}
