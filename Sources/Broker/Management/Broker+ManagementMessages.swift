import AMQPWire
import NIOCore

/// A message taken from a queue by the management API's "get messages" (`POST /api/queues/{vhost}/{name}/get`).
public struct FetchedMessage: Sendable {
    public var exchange, routingKey: String
    public var redelivered: Bool
    public var header: ContentHeader
    public var body: ByteBuffer
    /// Ready messages left in the queue after this one was taken (`message_count`).
    public var remaining: Int
}

extension Broker {
    /// Takes up to `count` ready messages from the head of a queue, as basic.get on a channel
    /// would, then puts them back marked redelivered (`requeue`) or acknowledges them at once.
    public func manageGet(vhost name: String, queue queueName: String, count: Int, requeue: Bool) throws(AMQPError) -> [FetchedMessage] {
        let vhost = try managedVhost(name)
        let queue = try vhost.queue(queueName)
        queue.lastUsed = now
        var taken: [QueuedMessage] = []
        var fetched: [FetchedMessage] = []
        while taken.count < count, let entry = queue.dequeue(now: now) {
            taken.append(entry)
            fetched.append(FetchedMessage(exchange: entry.message.exchange, routingKey: entry.message.routingKey,
                                          redelivered: entry.redelivered, header: entry.message.header, body: entry.message.body,
                                          remaining: queue.messageCount))
        }
        let redelivered = taken.count(where: \.redelivered)
        queue.counts.delivered += taken.count
        vhost.counts.delivered += taken.count
        queue.counts.redelivered += redelivered
        vhost.counts.redelivered += redelivered
        if requeue {
            for entry in taken {
                if entry.storeID != 0, !entry.redelivered { persistence?.delivered(id: entry.storeID, queue: queue.name) }
                queue.requeue(entry)
            }
        } else {
            queue.counts.acknowledged += taken.count
            vhost.counts.acknowledged += taken.count
            forgetStored(taken.map(\.storeID), of: queue)
        }
        scheduleDispatch(queue)
        finishBurst()
        return fetched
    }
}
