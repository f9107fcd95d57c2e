import NIOCore

/// What the message log held at startup, as the first pass of `Recovery` found it: which stored
/// messages are still held and by which queues (not their content: `replay` reads that again),
/// and what the `MessageStore` needs to carry on.
public struct RecoveredMessages: Sendable {
    /// One stored message still held by at least one queue, as `replay` hands it over.
    public struct Message: Sendable {
        public var id: UInt64
        public var exchange: String
        public var routingKey: String
        public var properties: ByteBuffer
        public var body: ByteBuffer
        /// When it was published (broker clock, ms); nil for records written before publish times were kept.
        public var publishedAt: Int64?
    }

    /// Bytes cut off segments at a bad (torn or corrupt) record.
    public var discardedBytes = 0
    /// Where the segments are.
    var directory: String
    /// The segments kept (every one from the oldest with a live message on), in order: what `replay` reads.
    var keptSegments: [UInt32] = []
    var live = LiveMessages()
    var queueNames = QueueNames()
    /// Per held message, its segment and how many queues hold it (the `MessageStore`'s index).
    var index = MessageIndex()
    /// Per segment: references (message × queue) to messages published in it.
    var segmentReferences: [UInt32: Int] = [:]
    var nextID: UInt64 = 1
    var nextSegment: UInt32 = 1
    /// Segments deleted at startup: the oldest ones, up to the first that holds a live message.
    var emptySegments: [UInt32] = []
    var oldestKeptSegment: UInt32? { keptSegments.first }

    init(directory: String) {
        self.directory = directory
    }
}
