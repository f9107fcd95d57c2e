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
        var properties = message.properties
        var headers = properties.headers ?? FieldTable()
        DeathHistory.record(reason: reason, queue: queue.name, exchange: message.exchange,
                            routingKeys: [message.routingKey] + DeathHistory.carbonCopies(in: headers),
                            originalExpiration: properties.expiration, time: UInt64(now / 1000), in: &headers)
        properties.headers = headers
        properties.expiration = nil
        let header = ContentHeader(classID: message.header.classID, bodySize: message.header.bodySize, properties: properties)
        let deadLetter = Message(exchange: exchangeName, routingKey: features.deadLetterRoutingKey ?? message.routingKey,
                                 header: header, body: message.body)
        var targets = routeTargets(deadLetter, from: exchange, in: vhost)
        // A message that would come back to a queue it died in, with no rejection on the way, is in a cycle: dropped.
        targets.removeAll { DeathHistory.isCycle(headers, to: $0.name) }
        enqueue(deadLetter, into: targets, in: vhost)
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
            if case .table(let old) = deaths[index], let previous = old["count"]?.integerValue { count = previous + 1 }
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

    /// The routing keys of the `CC` header, which RabbitMQ lists among a dead message's routing keys.
    static func carbonCopies(in headers: FieldTable) -> [String] {
        guard case .array(let values) = headers["CC"] else { return [] }
        return values.compactMap { if case .longString(let key) = $0 { key } else { nil } }
    }

    /// Whether the history already holds `queue` and no death in it was a rejection.
    static func isCycle(_ headers: FieldTable, to queue: String) -> Bool {
        guard case .array(let deaths) = headers["x-death"] else { return false }
        var seen = false
        for case .table(let death) in deaths {
            if case .longString(DeathReason.rejected.rawValue) = death["reason"] { return false }
            if case .longString(queue) = death["queue"] { seen = true }
        }
        return seen
    }

    private static func matches(_ value: FieldValue, queue: String, reason: DeathReason) -> Bool {
        guard case .table(let death) = value,
              case .longString(let name) = death["queue"], case .longString(let why) = death["reason"] else { return false }
        return name == queue && why == reason.rawValue
    }
}
