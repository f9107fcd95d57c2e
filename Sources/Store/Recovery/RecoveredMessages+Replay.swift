import Broker
import Logging
import NIOCore

extension RecoveredMessages {
    /// The second pass over the message log: reads the kept segments again, in order and one at a
    /// time, and calls `restore` for each queue holding each live message, in publish order (which
    /// is each queue's order), with whether it comes back redelivered. Each message's property
    /// bytes and body are copied out of the segment's buffer, so one that stays in memory keeps no
    /// segment alive. A bad record here (the file changed since the first pass) is an error.
    func replay(_ restore: (_ message: Message, _ vhost: String, _ queue: String, _ redelivered: Bool) throws -> Void) throws {
        for segment in keptSegments {
            let path = directory + "/" + SegmentFiles.name(segment)
            let ending = try MessageSegmentReader(path: path).forEachRecord { record, ordinal in
                guard case .publish(let id, _, _, let exchange, let routingKey, let properties, let body, let publishedAt) = record else {
                    return
                }
                var message: Message?
                try live.forEachHolding(of: id, segment: segment, ordinal: ordinal) { holding in
                    let detached = message ?? Message(id: id, publishedAt: publishedAt,
                                                      StoredMessage(exchange: exchange, routingKey: routingKey, copying: properties, body))
                    message = detached
                    let (vhost, queue) = queueNames[holding.queue]
                    try restore(detached, vhost, queue, holding.delivered)
                }
            }
            if case .bad(let offset, _, let reason) = ending {
                throw StoreError.io("\(path) changed while warren started: \(reason) at offset \(offset), read whole before", 0)
            }
        }
    }
}

extension RecoveredMessages.Message {
    /// A live message of the log, as `replay` hands it over (`publishedAt` 0: not kept).
    init(id: UInt64, publishedAt: Int64, _ stored: StoredMessage) {
        self.init(id: id, exchange: stored.exchange, routingKey: stored.routingKey, properties: stored.properties,
                  body: stored.body, publishedAt: publishedAt > 0 ? publishedAt : nil)
    }
}
