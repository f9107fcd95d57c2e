/// A message in one queue, in memory: its place in the queue and whether it was delivered before.
struct QueuedMessage {
    let message: Message
    /// Position in the queue's publish order; requeued messages go back by it.
    let sequence: UInt64
    var redelivered: Bool
    /// The message's id in the store when it is persisted for this queue; 0 otherwise.
    var storeID: UInt64 = 0
    /// When the message expires (broker clock, milliseconds); `.max` when it never does.
    var expiresAt: Int64 = .max
}
