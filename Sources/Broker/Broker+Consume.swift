import AMQPWire

/// basic.consume, basic.cancel, basic.get, and acknowledgements.
extension Broker {
    func startConsumer(_ consume: BasicConsume, on channel: BrokerChannel) throws(AMQPError) {
        let tag = consume.consumerTag.isEmpty ? nameGenerator.consumerTag() : consume.consumerTag
        if channel.consumers[tag] != nil || channel.replyToConsumerTag == tag {
            throw AMQPError(.notAllowed, "attempt to reuse consumer tag '\(tag)'")
        }
        guard channel.consumers.count < limits.consumersPerChannel else {
            throw AMQPError(.notAllowed, "reached maximum (\(limits.consumersPerChannel)) of consumers per channel")
        }
        if consume.queue == DirectReplyTo.pseudoQueue {
            try directReplyTo.startConsumer(tag: tag, noAck: consume.noAck, on: channel)
            reply(.basicConsumeOk(BasicConsumeOk(consumerTag: tag)), on: channel, unless: consume.noWait)
            return
        }
        let name = consume.queue.isEmpty ? try lastDeclared(channel) : consume.queue
        try authorize(.read, .queue, name, on: channel)
        let queue = try accessibleQueue(name, for: channel)
        if queue.consumers.contains(where: \.exclusive) || (consume.exclusive && queue.consumerCount > 0) {
            throw AMQPError(.accessRefused, "queue '\(queue.name)' in vhost '\(queue.vhost)' in exclusive use")
        }
        let priority = try consume.arguments["x-priority"].map { value throws(AMQPError) in
            try QueueFeatures.integer(value) { reason in
                AMQPError(.preconditionFailed, "invalid arg 'x-priority' for queue '\(queue.name)' in vhost '\(queue.vhost)': \(reason)")
            }
        } ?? 0
        let subscription = try queue.stream.map { stream throws(AMQPError) in
            try streamSubscription(consume, to: stream, of: queue, on: channel)
        }
        let consumer = Consumer(tag: tag, channel: channel, queue: queue, noAck: consume.noAck,
                                exclusive: consume.exclusive, prefetchLimit: channel.consumerPrefetch, priority: priority)
        consumer.stream = subscription
        queue.lastUsed = now
        channel.consumers[tag] = consumer
        queue.add(consumer)
        reply(.basicConsumeOk(BasicConsumeOk(consumerTag: tag)), on: channel, unless: consume.noWait)
        scheduleDispatch(queue)
    }

    func cancelConsumer(_ cancel: BasicCancel, on channel: BrokerChannel) {
        if let consumer = channel.consumers.removeValue(forKey: cancel.consumerTag) {
            removeConsumer(consumer)
        } else if channel.replyToConsumerTag == cancel.consumerTag {
            directReplyTo.stopConsumer(on: channel)
        }
        reply(.basicCancelOk(BasicCancelOk(consumerTag: cancel.consumerTag)), on: channel, unless: cancel.noWait)
    }

    func fetch(_ get: BasicGet, on channel: BrokerChannel) throws(AMQPError) {
        let name = get.queue.isEmpty ? try lastDeclared(channel) : get.queue
        try authorize(.read, .queue, name, on: channel)
        let queue = try accessibleQueue(name, for: channel)
        try refuse("basic.get", on: queue)
        queue.lastUsed = now
        let entry = queue.dequeue(now: now)
        if !queue.discarded.isEmpty || !queue.lostStoreIDs.isEmpty { scheduleDispatch(queue) }
        guard let entry else {
            channel.session.send(.method(channel.number, .basicGetEmpty))
            return
        }
        channel.deliverFetched(entry, from: queue, noAck: get.noAck)
    }

    func acknowledge(tag: UInt64, multiple: Bool, on channel: BrokerChannel) throws(AMQPError) {
        if channel.transaction != nil {
            try channel.transaction?.settle(tag: tag, multiple: multiple, held: channel.unacked)
            try holdInTransaction(.ack(tag: tag, multiple: multiple), on: channel)
            return
        }
        for delivery in try channel.settle(tag: tag, multiple: multiple) {
            delivery.queue.counts.acknowledged += 1
            channel.session.vhost.counts.acknowledged += 1
            channel.counts.acknowledged += 1
            settled(delivery)
        }
        scheduleChannelQueues(channel)
    }

    /// A connection that could take no more has room again: its consumers' queues dispatch.
    func resumeDeliveries(to session: Session) {
        for channel in session.channels.values {
            for consumer in channel.consumers.values { scheduleDispatch(consumer.queue) }
        }
    }

    /// With a channel-wide (global) prefetch, room freed by one queue's message may let another
    /// queue's consumer on the channel go on.
    func scheduleChannelQueues(_ channel: BrokerChannel) {
        guard channel.channelPrefetch > 0 else { return }
        for consumer in channel.consumers.values { scheduleDispatch(consumer.queue) }
    }

    func reject(tag: UInt64, multiple: Bool, requeue shouldRequeue: Bool, on channel: BrokerChannel) throws(AMQPError) {
        if channel.transaction != nil {
            try channel.transaction?.settle(tag: tag, multiple: multiple, held: channel.unacked)
            try holdInTransaction(.reject(tag: tag, multiple: multiple, requeue: shouldRequeue), on: channel)
            return
        }
        let settled = try channel.settle(tag: tag, multiple: multiple)
        defer { scheduleChannelQueues(channel) }
        if shouldRequeue {
            requeue(settled)
            return
        }
        for delivery in settled {
            if !delivery.queue.isDeleted, delivery.queue.stream == nil { deadLetter(delivery.entry, reason: .rejected, from: delivery.queue) }
            self.settled(delivery)
        }
    }
}
