import AMQPWire
import NIOCore

/// basic.publish: routing through exchanges into queues, mandatory returns, publisher confirms.
extension Broker {
    func receivePublish(_ publish: BasicPublish, header: ContentHeader, body: ByteBuffer, on channel: BrokerChannel) throws(AMQPError) {
        try authorize(.write, .exchange, publish.exchange, on: channel)
        // A missing or internal exchange fails at once (before the transaction holds the publish), as in RabbitMQ.
        let exchange = try publishableExchange(publish.exchange, in: channel.session.vhost)
        try authorizeTopic(.write, exchange: exchange, key: publish.routingKey, on: channel)
        try checkUserID(header, on: channel)
        if channel.transaction != nil {
            try holdInTransaction(.publish(publish, header, body), on: channel)
            return
        }
        try route(publish, header: header, body: body, on: channel, to: exchange)
    }

    /// Routes one publish; true when the message was persisted. `known` is the publish's exchange, when
    /// the caller has just looked it up (a transaction's commit looks it up again: it may be gone).
    @discardableResult
    func route(_ publish: BasicPublish, header: ContentHeader, body: ByteBuffer, on channel: BrokerChannel,
               to known: Exchange? = nil) throws(AMQPError) -> Bool {
        let vhost = channel.session.vhost
        let exchange: Exchange
        if let known { exchange = known } else { exchange = try publishableExchange(publish.exchange, in: vhost) }
        let sequence = channel.nextPublishSequence
        if let sequence { channel.nextPublishSequence = sequence + 1 }
        var header = header
        if try DirectReplyTo.needsRewrite(header) {
            header = try directReplyTo.rewriteReplyTo(header, for: channel)
        }
        let message = Message(exchange: publish.exchange, routingKey: publish.routingKey, header: header, body: body)
        if message.hasExpiration { _ = try MessageExpiration.milliseconds(of: message) }
        let (delivered, stored, rejected) = deliver(message, from: exchange, in: vhost)
        if !delivered && publish.mandatory {
            let returned = BasicReturn(replyCode: ReplyCode.noRoute.rawValue, replyText: ReplyCode.noRoute.name,
                                       exchange: publish.exchange, routingKey: publish.routingKey)
            channel.session.send(.content(channel.number, .basicReturn(returned), header, body))
            vhost.counts.returned += 1
            channel.counts.returned += 1
        }
        channel.counts.published += 1
        if let sequence {
            // A persisted message is confirmed only once its record is fsync'd; one a full
            // reject-publish queue refused is nacked.
            if rejected {
                noteConfirm(channel, sequence: sequence, ack: false)
            } else if stored { awaitingDisk.append((channel, .confirm(sequence))) } else { noteConfirm(channel, sequence: sequence, ack: true) }
        }
        return stored
    }

    private func publishableExchange(_ name: String, in vhost: VirtualHost) throws(AMQPError) -> Exchange {
        let exchange = try vhost.exchange(name)
        if exchange.internal {
            throw AMQPError(.accessRefused, "cannot publish to internal exchange '\(name)' in vhost '\(vhost.name)'")
        }
        return exchange
    }

    /// Puts a message on every queue the exchange routes it to. `delivered` is false when it
    /// reached none; `stored` is true when it was persisted (persistent, to a durable queue);
    /// `rejected` when a full queue with x-overflow reject-publish refused it, or a stream could not write it.
    /// Also the entry point for in-process publishers (the syslog collector).
    @discardableResult
    public func deliver(_ message: Message, from exchange: Exchange, in vhost: VirtualHost) -> (delivered: Bool, stored: Bool, rejected: Bool) {
        if exchange.name.isEmpty && vhost.queues[message.routingKey] == nil {
            return (directReplyTo.deliver(message, in: vhost), false, false)
        }
        var targets = routeTargets(message, from: exchange, in: vhost)
        let delivered = !targets.isEmpty
        var rejected = false
        if targets.contains(where: \.rejectsWhenFull) {
            rejected = refuseWhereFull(message, targets: &targets)
        }
        let (stored, refused) = enqueue(message, into: targets, in: vhost)
        vhost.counts.published += 1
        exchange.publishedIn += 1
        if delivered { exchange.publishedOut += 1 }
        return (delivered, stored, rejected || refused)
    }

    /// The queues an exchange routes a message to; an exchange that routes it nowhere hands it to
    /// its alternate exchange, if it has one.
    func routeTargets(_ message: Message, from exchange: Exchange, in vhost: VirtualHost) -> [Queue] {
        var targets: [Queue] = []
        if exchange.name.isEmpty {
            if let queue = vhost.queues[message.routingKey] { targets.append(queue) }
            return targets
        }
        var walk = RoutingWalk()
        vhost.route(exchange: exchange, routingKey: message.routingKey, message: message, walk: &walk, into: &targets)
        var alternate = exchange.alternateExchange
        var tried: Set<String> = [exchange.name]
        while targets.isEmpty, let name = alternate, tried.insert(name).inserted, let next = vhost.exchanges[name] {
            vhost.route(exchange: next, routingKey: message.routingKey, message: message, walk: &walk, into: &targets)
            alternate = next.alternateExchange
        }
        return targets
    }

    /// Removes the full reject-publish queues from the targets; true when any refused the message.
    /// reject-publish-dlx dead-letters what it refuses.
    private func refuseWhereFull(_ message: Message, targets: inout [Queue]) -> Bool {
        var refused = false
        targets.removeAll { queue in
            guard queue.rejectsWhenFull, !queue.admits(message) else { return false }
            refused = true
            if queue.features?.overflow == .rejectPublishDeadLetter {
                deadLetter(QueuedMessage(message: message, sequence: 0, redelivered: false), reason: .maxlen, from: queue)
            }
            return true
        }
        return refused
    }

    /// Enqueues a routed message (storing it first when persistent and bound for durable queues,
    /// appending it to stream queues): `stored` when its confirm must wait for the disk, `refused`
    /// when a stream could not write it (the publish is nacked).
    @discardableResult
    func enqueue(_ message: Message, into targets: [Queue], in vhost: VirtualHost) -> (stored: Bool, refused: Bool) {
        var targets = targets
        let streams = targets.contains { $0.stream != nil } ? appendToStreams(message, targets: &targets) : (appended: false, refused: false)
        var storeID: UInt64 = 0
        if message.persistent, let persistence, targets.contains(where: \.isPersistent) {
            storeID = persistence.allocateMessageID()
            persistence.stored(id: storeID, vhost: vhost.name, queues: targets.filter(\.isPersistent).map(\.name),
                               exchange: message.exchange, routingKey: message.routingKey, publishedAt: now,
                               properties: message.header.propertyBytes, body: message.body)
        }
        let messageTTL = message.hasExpiration ? try? MessageExpiration.milliseconds(of: message) : nil
        for queue in targets {
            let expiresAt = expiry(messageTTL: messageTTL, in: queue, from: now)
            queue.enqueue(message, storeID: queue.isPersistent ? storeID : 0, expiresAt: expiresAt, now: now)
            queue.counts.published += 1
            queue.publishedInBurst = true
            scheduleDispatch(queue)
        }
        return (storeID != 0 || streams.appended, streams.refused)
    }
}

extension Broker {
    /// When a message enqueued at `time` expires in a queue: after the smaller of its own TTL and
    /// the queue's x-message-ttl (saturating, never trapping), or never (Int64.max).
    /// A queue with a deadline gets the broker's timer.
    func expiry(messageTTL: Int64?, in queue: Queue, from time: Int64) -> Int64 {
        guard let ttl = [messageTTL, queue.features?.messageTTL].compactMap({ $0 }).min() else { return .max }
        watchTimers(of: queue)
        let (deadline, overflow) = time.addingReportingOverflow(max(ttl, 0))
        return overflow ? .max : deadline
    }
}

/// A message published from inside the process (the syslog collector), with no channel.
public struct InternalPublish: Sendable {
    public var routingKey: String
    public var header: ContentHeader
    public var body: ByteBuffer

    public init(routingKey: String, header: ContentHeader, body: ByteBuffer) {
        self.routingKey = routingKey
        self.header = header
        self.body = body
    }
}

extension Broker {
    /// Routes a batch of in-process messages through an exchange, then dispatches and flushes once.
    /// Returns how many reached at least one queue; a missing vhost or exchange routes none.
    @discardableResult
    public func publishInternal(_ messages: [InternalPublish], exchange name: String, vhost: String) -> Int {
        guard let host = vhosts[vhost], let exchange = host.exchanges[name] else { return 0 }
        now = clock()
        var routed = 0
        for item in messages {
            let message = Message(exchange: name, routingKey: item.routingKey, header: item.header, body: item.body)
            if deliver(message, from: exchange, in: host).delivered { routed += 1 }
        }
        finishBurst()
        return routed
    }
}
