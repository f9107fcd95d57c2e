import AMQPWire

/// exchange.* and queue.* methods.
extension Broker {
    func declareExchange(_ declare: ExchangeDeclare, on channel: BrokerChannel) throws(AMQPError) {
        let vhost = channel.session.vhost
        if !declare.passive && !declare.exchange.isEmpty { try authorize(.configure, .exchange, declare.exchange, on: channel) }
        let exchange = try vhost.declareExchange(declare)
        if !vhost.policies.isEmpty { applyPolicies(to: exchange, in: vhost) }
        reply(.exchangeDeclareOk, on: channel, unless: declare.noWait)
    }

    func deleteExchange(_ delete: ExchangeDelete, on channel: BrokerChannel) throws(AMQPError) {
        if !delete.exchange.isEmpty && !delete.exchange.hasPrefix("amq.") {
            try authorize(.configure, .exchange, delete.exchange, on: channel)
        }
        try channel.session.vhost.deleteExchange(delete.exchange, ifUnused: delete.ifUnused)
        reply(.exchangeDeleteOk, on: channel, unless: delete.noWait)
    }

    func bindExchange(destination: String, source: String, key: String, arguments: FieldTable, on channel: BrokerChannel) throws(AMQPError) {
        let vhost = channel.session.vhost
        try authorizeBinding(source: source, destination: destination, .exchange, key: key, on: channel)
        try checkBindable(source, destination: .exchange(destination))
        let sourceExchange = try vhost.exchange(source)
        _ = try vhost.exchange(destination)
        try sourceExchange.validateBindingArguments(arguments)
        _ = sourceExchange.bind(Binding(destination: .exchange(destination), key: key, arguments: arguments))
    }

    func unbindExchange(destination: String, source: String, key: String, arguments: FieldTable, on channel: BrokerChannel) throws(AMQPError) {
        try authorizeBinding(source: source, destination: destination, .exchange, key: key, on: channel)
        try checkBindable(source, destination: .exchange(destination))
        try removeBinding(Binding(destination: .exchange(destination), key: key, arguments: arguments), from: source, on: channel)
    }

    /// Unbinding what is not there is no error, as in RabbitMQ 3.x (`rabbit_binding:remove`): a missing
    /// source, destination or binding answers unbind-ok, so clean-up code can unbind an auto-deleted queue.
    /// Only a binding that exists is checked against the queue's exclusive owner.
    private func removeBinding(_ binding: Binding, from source: String, on channel: BrokerChannel) throws(AMQPError) {
        let vhost = channel.session.vhost
        guard let exchange = vhost.exchanges[source], exchange.contains(binding) else { return }
        switch binding.destination {
        case .queue(let name):
            guard let queue = vhost.queues[name] else { return }
            try checkExclusiveAccess(queue, for: channel)
        case .exchange(let name):
            guard vhost.exchanges[name] != nil else { return }
        }
        _ = exchange.unbind(binding)
        vhost.deleteIfAutoDelete(exchange)
    }

    /// The default exchange takes no explicit bindings, in either role.
    private func checkBindable(_ source: String, destination: Destination) throws(AMQPError) {
        if source.isEmpty || destination == .exchange("") {
            throw AMQPError(.accessRefused, "operation not permitted on the default exchange")
        }
    }

    func declareQueue(_ declare: QueueDeclare, on channel: BrokerChannel) throws(AMQPError) {
        let session = channel.session
        let vhost = session.vhost
        var name = declare.queue
        if name.hasPrefix(DirectReplyTo.pseudoQueue) {
            // As RabbitMQ: the pseudo-queue (and a live reply name) answers as a queue with one consumer.
            guard directReplyTo.exists(name) else { throw AMQPError(.notFound, "no queue '\(name)' in vhost '\(vhost.name)'") }
            reply(.queueDeclareOk(QueueDeclareOk(queue: name, messageCount: 0, consumerCount: 1)), on: channel, unless: declare.noWait)
            return
        }
        if declare.passive {
            let queue = try accessibleQueue(name.isEmpty ? try lastDeclared(channel) : name, for: channel)
            queue.lastUsed = now  // any declare renews an x-expires lease, as in RabbitMQ
            channel.lastDeclaredQueue = queue.name
            replyDeclareOk(queue, on: channel, noWait: declare.noWait)
            return
        }
        if name.isEmpty {
            name = nameGenerator.queueName()
        } else if name.hasPrefix("amq.") {
            throw AMQPError(.accessRefused, "queue name '\(name)' contains reserved prefix 'amq.*'")
        }
        try authorize(.configure, .queue, name, on: channel)
        if let deadLetterExchange = declare.arguments["x-dead-letter-exchange"]?.stringValue {
            // As RabbitMQ: dead-lettering is checked once, here, and never per message.
            try authorize(.read, .queue, name, on: channel)
            try authorize(.write, .exchange, deadLetterExchange, on: channel)
        }
        if let existing = vhost.queues[name] {
            try checkExclusiveAccess(existing, for: channel)
            try checkEquivalent(existing, declare)
            existing.lastUsed = now
            channel.lastDeclaredQueue = name
            replyDeclareOk(existing, on: channel, noWait: declare.noWait)
            return
        }
        if let max = limits.vhostMaxQueues[vhost.name], vhost.queues.count >= max {
            throw AMQPError(.preconditionFailed, "cannot declare queue '\(name)': queue limit in vhost '\(vhost.name)' (\(max)) is reached")
        }
        let queue = try makeQueue(name: name, in: vhost, durable: declare.durable, autoDelete: declare.autoDelete,
                                  arguments: declare.arguments, owner: declare.exclusive ? session.id : nil)
        // Every queue is bound to the default exchange by its name (implicitly: see route()).
        channel.lastDeclaredQueue = name
        replyDeclareOk(queue, on: channel, noWait: declare.noWait)
    }

    /// Creates and adds a queue, its x- arguments validated and put in force.
    @discardableResult
    func makeQueue(name: String, in vhost: VirtualHost, durable: Bool, autoDelete: Bool, arguments: FieldTable,
                   owner: ConnectionID?) throws(AMQPError) -> Queue {
        let features = try effectiveFeatures(name: name, arguments: arguments, in: vhost)
        let stream = try StreamArguments.isStream(arguments)
            ? openStream(name: name, in: vhost, durable: durable, autoDelete: autoDelete, exclusive: owner != nil, arguments: arguments)
            : nil
        let queue = Queue(name: name, vhost: vhost.name, durable: durable, autoDelete: autoDelete, arguments: arguments, owner: owner)
        queue.features = features
        if let stream {
            queue.stream = stream
            follow(stream, of: queue)
        }
        queue.lastUsed = now
        vhost.addQueue(queue)
        if features?.isTimed == true { watchTimers(of: queue) }
        return queue
    }

    private func replyDeclareOk(_ queue: Queue, on channel: BrokerChannel, noWait: Bool) {
        reply(.queueDeclareOk(QueueDeclareOk(queue: queue.name, messageCount: UInt32(clamping: queue.messageCount),
                                             consumerCount: UInt32(clamping: queue.consumerCount))),
              on: channel, unless: noWait)
    }

    private func checkEquivalent(_ queue: Queue, _ declare: QueueDeclare) throws(AMQPError) {
        let what = "queue '\(queue.name)' in vhost '\(queue.vhost)'"
        if queue.durable != declare.durable {
            throw AMQPError(.preconditionFailed, "inequivalent arg 'durable' for \(what): received '\(declare.durable)' but current is '\(queue.durable)'")
        }
        if queue.autoDelete != declare.autoDelete {
            throw AMQPError(.preconditionFailed, "inequivalent arg 'auto_delete' for \(what): received '\(declare.autoDelete)' but current is '\(queue.autoDelete)'")
        }
        if (queue.owner != nil) != declare.exclusive {
            throw AMQPError(.resourceLocked, "cannot obtain exclusive access to locked \(what). It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.")
        }
        try ArgumentEquivalence.check(queue.arguments, declare.arguments, keys: ArgumentEquivalence.queueKeys, what: what)
    }

    /// The queue named (or the channel's last declared queue for an empty name), if this connection may use it.
    func accessibleQueue(_ name: String, for channel: BrokerChannel) throws(AMQPError) -> Queue {
        let queue = try channel.session.vhost.queue(name.isEmpty ? try lastDeclared(channel) : name)
        try checkExclusiveAccess(queue, for: channel)
        return queue
    }

    func lastDeclared(_ channel: BrokerChannel) throws(AMQPError) -> String {
        guard let name = channel.lastDeclaredQueue else {
            throw AMQPError(.notFound, "no previously declared queue")
        }
        return name
    }

    private func checkExclusiveAccess(_ queue: Queue, for channel: BrokerChannel) throws(AMQPError) {
        if let owner = queue.owner, owner != channel.session.id {
            throw AMQPError(.resourceLocked, "cannot obtain exclusive access to locked queue '\(queue.name)' in vhost '\(queue.vhost)'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.")
        }
    }

    func bindQueue(_ bind: QueueBind, on channel: BrokerChannel) throws(AMQPError) {
        let name = bind.queue.isEmpty ? try lastDeclared(channel) : bind.queue
        let key = bind.queue.isEmpty && bind.routingKey.isEmpty ? name : bind.routingKey
        try authorizeBinding(source: bind.exchange, destination: name, .queue, key: key, on: channel)
        try checkBindable(bind.exchange, destination: .queue(name))
        let exchange = try channel.session.vhost.exchange(bind.exchange)  // the source first, as RabbitMQ
        let queue = try accessibleQueue(name, for: channel)
        try exchange.validateBindingArguments(bind.arguments)
        _ = exchange.bind(Binding(destination: .queue(queue.name), key: key, arguments: bind.arguments))
        reply(.queueBindOk, on: channel, unless: bind.noWait)
    }

    func unbindQueue(_ unbind: QueueUnbind, on channel: BrokerChannel) throws(AMQPError) {
        let name = unbind.queue.isEmpty ? try lastDeclared(channel) : unbind.queue
        try authorizeBinding(source: unbind.exchange, destination: name, .queue, key: unbind.routingKey, on: channel)
        try checkBindable(unbind.exchange, destination: .queue(name))
        try removeBinding(Binding(destination: .queue(name), key: unbind.routingKey, arguments: unbind.arguments),
                          from: unbind.exchange, on: channel)
        reply(.queueUnbindOk, on: channel, unless: false)
    }

    func purgeQueue(_ purge: QueuePurge, on channel: BrokerChannel) throws(AMQPError) {
        let name = purge.queue.isEmpty ? try lastDeclared(channel) : purge.queue
        try authorize(.read, .queue, name, on: channel)
        let queue = try accessibleQueue(name, for: channel)
        try refuse("queue.purge", on: queue)
        let purged = queue.removeAllReady()
        forgetStored(purged.storeIDs, of: queue)
        scheduleDispatch(queue)  // its publishers, if it held any, may go
        let count = purged.count
        reply(.queuePurgeOk(QueuePurgeOk(messageCount: UInt32(clamping: count))), on: channel, unless: purge.noWait)
    }

    func deleteQueue(_ delete: QueueDelete, on channel: BrokerChannel) throws(AMQPError) {
        let vhost = channel.session.vhost
        let name = delete.queue.isEmpty ? try lastDeclared(channel) : delete.queue
        try authorize(.configure, .queue, name, on: channel)
        guard let queue = vhost.queues[name] else {
            // RabbitMQ answers delete-ok for a queue that does not exist.
            reply(.queueDeleteOk(QueueDeleteOk(messageCount: 0)), on: channel, unless: delete.noWait)
            return
        }
        try checkExclusiveAccess(queue, for: channel)
        if delete.ifUnused && queue.consumerCount > 0 {
            throw AMQPError(.preconditionFailed, "queue '\(name)' in vhost '\(vhost.name)' in use")
        }
        if delete.ifEmpty && queue.messageCount > 0 {
            throw AMQPError(.preconditionFailed, "queue '\(name)' in vhost '\(vhost.name)' not empty")
        }
        let count = queue.messageCount
        let ownConsumers = deleteQueue(queue, in: vhost, replyingOn: channel)
        reply(.queueDeleteOk(QueueDeleteOk(messageCount: UInt32(clamping: count))), on: channel, unless: delete.noWait)
        for tag in ownConsumers { followReply(with: .basicCancel(BasicCancel(consumerTag: tag, noWait: true)), on: channel) }
    }

    /// Sends a method that must reach the client after the reply to the method being carried out.
    func followReply(with method: AMQPMethod, on channel: BrokerChannel) {
        if deferringReply {
            deferredFollowers.append(method)  // queued behind the held reply (Broker.handle)
        } else {
            reply(method, on: channel, unless: false)
        }
    }

    func reply(_ method: AMQPMethod, on channel: BrokerChannel, unless noWait: Bool) {
        guard !noWait else { return }
        if deferringReply {
            deferredReply = method  // sent once the definitions are on disk (Broker+DiskWaits)
            return
        }
        if channel.replies.isEmpty {
            channel.session.send(.method(channel.number, method))
        } else {
            channel.replies.queue(method)  // behind a reply that waits for the disk
        }
    }
}
