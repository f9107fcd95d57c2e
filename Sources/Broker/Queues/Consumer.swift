/// A subscription of one channel to one queue.
final class Consumer {
    let tag: String
    unowned let channel: BrokerChannel
    unowned let queue: Queue
    let noAck: Bool
    let exclusive: Bool
    /// The channel's basic.qos prefetch_count (global=false), set when the consumer starts and by
    /// every later basic.qos global=false on its channel; 0 = no limit.
    var prefetchLimit: Int
    /// The `x-priority` consume argument: consumers of higher priority get messages first.
    let priority: Int64
    var unackedCount = 0
    /// A stream consumer's position and filter.
    var stream: StreamSubscription?

    init(tag: String, channel: BrokerChannel, queue: Queue, noAck: Bool, exclusive: Bool, prefetchLimit: Int, priority: Int64 = 0) {
        self.tag = tag
        self.channel = channel
        self.queue = queue
        self.noAck = noAck
        self.exclusive = exclusive
        self.prefetchLimit = prefetchLimit
        self.priority = priority
    }

    /// Whether the connection takes more (outbound credit) and prefetch (per consumer and per
    /// channel) allows one more delivery.
    var hasRoom: Bool {
        guard channel.session.canTakeDeliveries else { return false }
        if noAck { return channel.isActive }
        if prefetchLimit > 0 && unackedCount >= prefetchLimit { return false }
        return channel.hasRoomForDelivery
    }

    func deliver(_ entry: QueuedMessage, from queue: Queue) {
        channel.deliver(entry, from: queue, consumer: self)
    }
}
