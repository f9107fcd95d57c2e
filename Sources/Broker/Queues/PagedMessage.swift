/// A ready message whose exchange, routing key, properties and body are in a page file: all a
/// queue keeps of it in memory, 48 bytes with no reference to anything else, so a paged backlog
/// is plain values in contiguous storage (`PagedRun`).
struct PagedMessage {
    /// Position in the queue's publish order.
    let sequence: UInt64
    /// The message's id in the store when it is persisted for this queue; 0 otherwise.
    let storeID: UInt64
    /// When the message expires (broker clock, milliseconds); `.max` when it never does.
    let expiresAt: Int64
    /// Where its page record is.
    let location: PageLocation
    /// Body bytes (what x-max-length-bytes counts), kept so paging does not change the queue's length in bytes.
    let bodyLength: UInt32
    /// The message's priority (0 when absent), for its level in a priority queue.
    let priority: UInt8
    let redelivered: Bool

    /// Bytes it occupies in its run, the memory it is accounted for.
    static let footprint = MemoryLayout<PagedMessage>.stride
}
