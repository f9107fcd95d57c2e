/// Where a stream reader starts: the parsed `x-stream-offset` consumer argument.
public enum StreamStart: Sendable, Equatable {
    /// The oldest entry still kept.
    case first
    /// The newest entry (RabbitMQ starts at the last chunk; warren's chunks are single entries).
    case last
    /// The next entry appended after the reader starts.
    case next
    /// This offset, or the first kept one if it is older; `next` if it is beyond the end.
    case offset(UInt64)
    /// The first entry stamped at or after this time (milliseconds since 1970).
    case timestamp(Int64)
}

/// How much a stream keeps: whole oldest segments are deleted past either limit (never the one
/// being written).
public struct StreamRetention: Sendable, Equatable {
    /// `x-stream-max-segment-size-bytes`: a new segment begins once the current one is this large.
    public var maxSegmentBytes: Int
    /// `x-max-length-bytes`.
    public var maxBytes: Int?
    /// `x-max-age` in milliseconds.
    public var maxAge: Int64?

    public static let defaultSegmentBytes = 500_000_000

    public init(maxSegmentBytes: Int = defaultSegmentBytes, maxBytes: Int? = nil, maxAge: Int64? = nil) {
        self.maxSegmentBytes = maxSegmentBytes
        self.maxBytes = maxBytes
        self.maxAge = maxAge
    }
}

/// What the broker shows of a stream (management API, `warren queues`).
public struct StreamStatus: Sendable, Equatable {
    public var firstOffset: UInt64
    /// The offset the next entry will get; the stream is empty when it equals `firstOffset`.
    public var nextOffset: UInt64
    public var bytes: Int
    public var segments: Int
    public var firstTimestamp: Int64?
    public var lastTimestamp: Int64?

    public init(firstOffset: UInt64, nextOffset: UInt64, bytes: Int, segments: Int, firstTimestamp: Int64?, lastTimestamp: Int64?) {
        self.firstOffset = firstOffset
        self.nextOffset = nextOffset
        self.bytes = bytes
        self.segments = segments
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
    }
}

/// Opens and removes the streams' logs; the server implements it over the data directory.
/// Called only on the broker's event loop.
public protocol StreamStorage: AnyObject {
    /// Opens (recovering) or creates the log of a stream queue.
    func open(vhost: String, queue: String, retention: StreamRetention) throws -> any StreamLogAccess
    /// Deletes a stream's log and its directory.
    func remove(vhost: String, queue: String)
}

/// One stream's log, as the broker uses it. Entries become readable once they are on disk
/// (fsync'd): readers never see an entry a crash could take back.
public protocol StreamLogAccess: AnyObject {
    /// Appends an entry (its offset and a non-decreasing timestamp are assigned); the offset.
    /// Throws when it cannot be written: the publish is then refused (a nack).
    func append(_ entry: StreamEntry) throws -> UInt64
    var status: StreamStatus { get }
    /// Entries below this offset are on disk and readable.
    var committedOffset: UInt64 { get }
    /// The offset the next append gets: above `committedOffset` while appended entries wait for their fsync.
    var writtenOffset: UInt64 { get }
    /// Called on the broker's loop when more entries became readable.
    var onCommitted: (() -> Void)? { get set }
    /// A reader positioned at `start`.
    func reader(from start: StreamStart) -> any StreamReading
    /// Deletes whole oldest segments past the retention limits, as of `now` (ms since 1970).
    func applyRetention(now: Int64)
    /// When the oldest segment passes `x-max-age` (ms since 1970); nil when no segment can.
    var retentionDeadline: Int64? { get }
}

/// A position in a stream that reads forward, through a bounded buffer.
public protocol StreamReading: AnyObject {
    /// The offset of the next entry it will return.
    var nextOffset: UInt64 { get }
    /// The next readable entry, or nil when it has reached the committed end (for now).
    /// A reader left behind by retention continues at the new first entry.
    func next() -> StreamEntry?
}
