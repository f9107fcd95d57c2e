import NIOCore

/// Where a paged-out message's property bytes and body were written.
public struct PageLocation: Sendable, Equatable {
    public var file: UInt32
    public var offset: Int64
    public var propertyLength: Int
    public var bodyLength: Int

    public init(file: UInt32, offset: Int64, propertyLength: Int, bodyLength: Int) {
        self.file = file
        self.offset = offset
        self.propertyLength = propertyLength
        self.bodyLength = bodyLength
    }
}

/// Keeps message bodies on disk while a queue's backlog is over its memory limit; the server
/// implements it over files in the data directory. Called only on the broker's event loop.
public protocol BodyPager: AnyObject {
    /// Writes property bytes and body; nil when they could not be written (the message stays in memory).
    func pageOut(properties: ByteBuffer, body: ByteBuffer) -> PageLocation?
    /// Reads them back and releases the space; nil when they cannot be read.
    func pageIn(_ location: PageLocation) -> (properties: ByteBuffer, body: ByteBuffer)?
    /// Releases the space of a paged message that will never be read (purge, delete).
    func release(_ location: PageLocation)
}
