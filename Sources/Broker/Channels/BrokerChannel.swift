import AMQPWire
import DequeModule
import NIOCore

/// A delivery awaiting basic.ack, basic.nack or basic.reject.
struct Unacked {
    let tag: UInt64
    let queue: Queue
    let entry: QueuedMessage
    /// nil for a message fetched with basic.get.
    let consumer: Consumer?
}

/// The broker side of one channel: consumers, unacknowledged deliveries, prefetch, confirm and
/// transaction modes.
final class BrokerChannel {
    let number: UInt16
    unowned let session: Session
    /// The session's id: whether the session still exists is asked of the broker by this, never by
    /// reading `session` once it may be gone (a disk write can finish after its client left).
    let sessionID: ConnectionID
    var consumers: [String: Consumer] = [:]
    private(set) var unacked = UnackedDeliveries()
    private var nextDeliveryTag: UInt64 = 1
    /// basic.qos global=false: the limit given to consumers started afterwards.
    var consumerPrefetch = 0
    /// basic.qos global=true: the limit on the whole channel.
    var channelPrefetch = 0
    /// channel.flow; warren never pauses a channel itself.
    var isActive = true
    /// Publisher confirms: the sequence number of the next publish, when confirm.select was seen.
    var nextPublishSequence: UInt64?
    /// Every publish up to this sequence number has been acked or nacked.
    var confirmFloor: UInt64 = 0
    /// Confirms settled in this burst, sent at its end.
    var settledConfirms: [(sequence: UInt64, ack: Bool)] = []
    /// Messages published, delivered, acknowledged, returned and confirmed on this channel.
    var counts = MessageCounts()
    /// Transaction mode: publishes and acknowledgements held until tx.commit.
    var transaction: Transaction?
    /// Direct reply-to: the consumer tag and reply name of this channel's reply consumer.
    var replyToConsumerTag: String?
    var replyToSuffix: String?
    /// The queue named by the last queue.declare on this channel, for methods with an empty queue name.
    var lastDeclaredQueue: String?
    /// Replies in the order of their methods, while one of them waits for the disk.
    var replies = ReplyLine()

    init(number: UInt16, session: Session) {
        self.number = number
        self.session = session
        self.sessionID = session.id
    }

    /// Whether a consumer of this channel may get one more message under a global prefetch
    /// (basic.get deliveries do not count, as in RabbitMQ).
    var hasRoomForDelivery: Bool {
        isActive && (channelPrefetch == 0 || unacked.consumedCount < channelPrefetch)
    }

    /// Sends a message to a consumer and, unless no-ack, remembers it until it is acknowledged.
    func deliver(_ entry: QueuedMessage, from queue: Queue, consumer: Consumer) {
        let tag = takeDeliveryTag()
        recordDelivery(entry, from: queue, noAck: consumer.noAck)
        if !consumer.noAck {
            unacked.append(Unacked(tag: tag, queue: queue, entry: entry, consumer: consumer))
            consumer.unackedCount += 1
            queue.unackedCount += 1
            queue.unackedBytes += entry.message.footprint
        }
        let message = entry.message
        let deliver = BasicDeliver(consumerTag: consumer.tag, deliveryTag: tag, redelivered: entry.redelivered,
                                   exchange: message.exchange, routingKey: message.routingKey)
        session.send(.content(number, .basicDeliver(deliver), message.header, message.body))
    }

    /// basic.get: delivers one message as get-ok.
    func deliverFetched(_ entry: QueuedMessage, from queue: Queue, noAck: Bool) {
        let tag = takeDeliveryTag()
        recordDelivery(entry, from: queue, noAck: noAck)
        if !noAck {
            unacked.append(Unacked(tag: tag, queue: queue, entry: entry, consumer: nil))
            queue.unackedCount += 1
            queue.unackedBytes += entry.message.footprint
        }
        let message = entry.message
        let getOk = BasicGetOk(deliveryTag: tag, redelivered: entry.redelivered, exchange: message.exchange,
                               routingKey: message.routingKey, messageCount: UInt32(clamping: queue.messageCount))
        session.send(.content(number, .basicGetOk(getOk), message.header, message.body))
    }

    /// A stored message leaves the queue for good (no-ack) or is marked delivered (it will come
    /// back redelivered after a restart).
    private func recordDelivery(_ entry: QueuedMessage, from queue: Queue, noAck: Bool) {
        queue.counts.delivered += 1
        session.vhost.counts.delivered += 1
        counts.delivered += 1
        if entry.redelivered {
            queue.counts.redelivered += 1
            session.vhost.counts.redelivered += 1
            counts.redelivered += 1
        }
        guard entry.storeID != 0, let persistence = session.persistence else { return }
        if noAck {
            persistence.removed(id: entry.storeID, queue: queue.name)
        } else if !entry.redelivered {
            persistence.delivered(id: entry.storeID, queue: queue.name)
        }
    }

    /// Direct reply-to: delivers a reply to this channel's reply consumer (never acknowledged).
    func deliverReply(_ message: Message, consumerTag: String) {
        let deliver = BasicDeliver(consumerTag: consumerTag, deliveryTag: takeDeliveryTag(), redelivered: false,
                                   exchange: message.exchange, routingKey: message.routingKey)
        session.send(.content(number, .basicDeliver(deliver), message.header, message.body))
    }

    private func takeDeliveryTag() -> UInt64 {
        defer { nextDeliveryTag &+= 1 }
        return nextDeliveryTag
    }

    /// Removes and returns the deliveries a basic.ack/nack/reject names (`UnackedDeliveries.settle`).
    func settle(tag: UInt64, multiple: Bool) throws(AMQPError) -> [Unacked] {
        try unacked.settle(tag: tag, multiple: multiple)
    }

    /// Takes every unacknowledged delivery (channel closing, basic.recover).
    func takeAllUnacked() -> [Unacked] {
        unacked.takeAll()
    }
}

/// What a transactional channel holds until tx.commit.
struct Transaction {
    enum Step {
        case publish(BasicPublish, ContentHeader, ByteBuffer)
        case ack(tag: UInt64, multiple: Bool)
        case reject(tag: UInt64, multiple: Bool, requeue: Bool)
    }
    var steps: [Step] = []
    /// The body bytes of the publishes among `steps`.
    var bodyBytes = 0
    /// Delivery tags an ack, nack or reject among `steps` settles: each settled one singly, and every
    /// one up to `settledThrough` by `multiple`. Checked when the next one arrives.
    var settledSingly: Set<UInt64> = []
    var settledThrough: UInt64 = 0

    /// Records that an acknowledgement settles `tag` (every held one up to it with `multiple`;
    /// tag 0 with multiple: all held), checked as RabbitMQ's collect_acks does when the method
    /// arrives, not at commit: the tag must be held and not settled earlier in this transaction.
    mutating func settle(tag: UInt64, multiple: Bool, held unacked: UnackedDeliveries) throws(AMQPError) {
        if multiple && tag == 0 {
            settledThrough = max(settledThrough, unacked.lastTag ?? 0)
            return
        }
        guard tag > settledThrough, !settledSingly.contains(tag), unacked.holds(tag) else {
            throw AMQPError(.preconditionFailed, "unknown delivery tag \(tag)")
        }
        if multiple { settledThrough = tag } else { settledSingly.insert(tag) }
    }
}
