import AMQPWire
import NIOCore

/// Why a message left a queue without being consumed, as the `x-death` header names it.
enum DeathReason: String {
    case rejected, expired, maxlen
}

/// Dead-lettering: a message that dies in a queue with `x-dead-letter-exchange` is republished
/// there with the `x-death` history RabbitMQ builds.
extension Broker {
    /// Republishes a dead message through its queue's dead-letter exchange, if it has one.
    func deadLetter(_ entry: QueuedMessage, reason: DeathReason, from queue: Queue) {
        guard let features = queue.features, let exchangeName = features.deadLetterExchange,
              let vhost = vhosts[queue.vhost], let exchange = vhost.exchanges[exchangeName] else { return }
        let message = entry.message
        let (header, cycle) = Self.deadLetterHeader(of: message, reason: reason, queue: queue.name, time: UInt64(clamping: now / 1000))
        let deadLetter = Message(exchange: exchangeName, routingKey: features.deadLetterRoutingKey ?? message.routingKey,
                                 header: header, body: message.body)
        var targets = routeTargets(deadLetter, from: exchange, in: vhost)
        if !cycle.isEmpty { targets.removeAll { cycle.contains($0.name) } }
        enqueue(deadLetter, into: targets, in: vhost)
    }

    /// The content header a dead message is republished with (its x-death history one death
    /// longer, no expiration), and the queues it must not reach: a message that would come back
    /// to a queue it died in, with no rejection on the way, is in a cycle and is dropped there.
    /// Property bytes that do not decode hold no history: such a message goes on unchanged, kept
    /// only from the queue it died in.
    private static func deadLetterHeader(of message: Message, reason: DeathReason, queue: String,
                                         time: UInt64) -> (ContentHeader, cycle: Set<String>) {
        guard var properties = try? message.header.properties() else { return (message.header, [queue]) }
        var headers = properties.headers ?? FieldTable()
        DeathHistory.record(reason: reason, queue: queue, exchange: message.exchange,
                            routingKeys: [message.routingKey] + DeathHistory.carbonCopies(in: headers),
                            originalExpiration: properties.expiration, time: time, in: &headers)
        properties.headers = headers
        properties.expiration = nil
        let header = ContentHeader(classID: message.header.classID, bodySize: message.header.bodySize, properties: properties)
        return (header, DeathHistory.queuesClosingACycle(headers))
    }

    /// Dead-letters or forgets what a queue discarded (expired, over its length limit).
    func settleDiscarded(of queue: Queue) {
        let discarded = queue.discarded
        queue.discarded.removeAll()
        for (entry, reason) in discarded {
            deadLetter(entry, reason: reason, from: queue)
            if entry.storeID != 0 { persistence?.removed(id: entry.storeID, queue: queue.name) }
        }
    }
}

/// The `x-death` header: one table per queue and reason, most recent first, with a count.
enum DeathHistory {
    static func record(reason: DeathReason, queue: String, exchange: String, routingKeys: [String],
                       originalExpiration: String?, time: UInt64, in headers: inout FieldTable) {
        var deaths: [FieldValue] = if case .array(let existing) = headers["x-death"] { existing } else { [] }
        var count: Int64 = 1
        if let index = deaths.firstIndex(where: { matches($0, queue: queue, reason: reason) }) {
            if case .table(let old) = deaths[index], let previous = old["count"] { count = nextCount(after: previous) }
            deaths.remove(at: index)
        }
        var death: FieldTable = [
            "count": .int64(count),
            "reason": .longString(reason.rawValue),
            "queue": .longString(queue),
            "time": .timestamp(time),
            "exchange": .longString(exchange),
            "routing-keys": .array(routingKeys.map { .longString($0) }),
        ]
        if let originalExpiration { death["original-expiration"] = .longString(originalExpiration) }
        deaths.insert(.table(death), at: 0)
        headers["x-death"] = .array(deaths)
        if headers["x-first-death-reason"] == nil {
            headers["x-first-death-exchange"] = .longString(exchange)
            headers["x-first-death-queue"] = .longString(queue)
            headers["x-first-death-reason"] = .longString(reason.rawValue)
        }
    }

    /// A death's count after one more death. A peer writes the count it likes: an integer keeps
    /// counting as in RabbitMQ but stays at Int64.max there (a `L` beyond Int64.max is taken as
    /// Int64.max); a count that is no integer at all starts over at 1.
    static func nextCount(after previous: FieldValue) -> Int64 {
        if case .uint64(let wide) = previous, wide > UInt64(Int64.max) { return .max }
        guard let count = previous.integerValue else { return 1 }
        let (next, overflow) = count.addingReportingOverflow(1)
        return overflow ? .max : next
    }

    /// The routing keys of the `CC` header, which RabbitMQ lists among a dead message's routing keys.
    static func carbonCopies(in headers: FieldTable) -> [String] {
        guard case .array(let values) = headers["CC"] else { return [] }
        return values.compactMap { if case .longString(let key) = $0 { key } else { nil } }
    }

    /// The queues the history already holds, when no death in it was a rejection: a message
    /// routed back to one of them is in a cycle. Read once per dead-lettering, whatever the fan-out.
    static func queuesClosingACycle(_ headers: FieldTable) -> Set<String> {
        guard case .array(let deaths) = headers["x-death"] else { return [] }
        var queues: Set<String> = []
        for case .table(let death) in deaths {
            if case .longString(DeathReason.rejected.rawValue) = death["reason"] { return [] }
            if case .longString(let queue) = death["queue"] { queues.insert(queue) }
        }
        return queues
    }

    private static func matches(_ value: FieldValue, queue: String, reason: DeathReason) -> Bool {
        guard case .table(let death) = value,
              case .longString(let name) = death["queue"], case .longString(let why) = death["reason"] else { return false }
        return name == queue && why == reason.rawValue
    }
}
