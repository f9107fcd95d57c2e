import NIOCore

/// Where a paged-out message's record was written: its file, its offset in it and its length.
/// Twelve bytes: a page file never grows past 4 GiB and a record longer than `UInt32.max` is not paged.
public struct PageLocation: Sendable, Hashable {
    public var file: UInt32
    public var offset: UInt32
    public var length: UInt32

    public init(file: UInt32, offset: UInt32, length: UInt32) {
        self.file = file
        self.offset = offset
        self.length = length
    }
}

/// Keeps the records of paged messages (exchange, routing key, property bytes, body; see
/// `PageRecord`) on disk while a queue's backlog is over its memory limit; the server implements it
/// over files in the data directory, written and read on a thread of their own. Called only on the
/// broker's event loop.
public protocol BodyPager: AnyObject {
    /// Takes a record to write; nil when it cannot be paged (the message stays in memory).
    func pageOut(_ record: ByteBuffer) -> PageLocation?
    /// Reads records back, in the order asked, and releases their space; nil for one that cannot be read.
    func pageIn(_ locations: [PageLocation]) -> [ByteBuffer?]
    /// For paged messages whose records `pageIn` could not give (or that do not decode), by store
    /// id (0: not persistent), in order: each persistent one as the message log holds it; nil for
    /// one that is lost (a transient one, or one the log does not have either). Counts and logs
    /// them with their queue.
    func recover(_ storeIDs: [UInt64], queue: String, vhost: String) -> [StoredMessage?]
    /// Starts reading records that `pageIn` will soon ask for, so it finds them read.
    func prefetch(_ locations: [PageLocation])
    /// Releases the space of a paged message that will never be read (purge, delete).
    func release(_ location: PageLocation)
}
