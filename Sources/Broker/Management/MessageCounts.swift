/// Running totals of what happened to messages in a queue or a vhost, for the management API's
/// `message_stats` and the Prometheus counters. Plain integers: the broker's loop is their only writer.
public struct MessageCounts: Sendable, Equatable {
    public var published = 0
    public var delivered = 0
    public var redelivered = 0
    public var acknowledged = 0
    public var returned = 0
    /// Publishes confirmed with basic.ack (channels and vhosts).
    public var confirmed = 0

    public init() {}

    /// Adds another set of totals to these.
    public mutating func add(_ other: MessageCounts) {
        published += other.published
        delivered += other.delivered
        redelivered += other.redelivered
        acknowledged += other.acknowledged
        returned += other.returned
        confirmed += other.confirmed
    }
}
