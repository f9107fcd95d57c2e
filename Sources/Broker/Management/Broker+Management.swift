import AMQPWire

/// What the management API changes, with the same checks and errors as the AMQP methods.
extension Broker {
    public func manageDeclareQueue(vhost name: String, queue: String, durable: Bool, autoDelete: Bool,
                                   arguments: FieldTable) throws(AMQPError) {
        let vhost = try managedVhost(name)
        if let existing = vhost.queues[queue] {
            guard existing.durable == durable, existing.autoDelete == autoDelete else {
                throw AMQPError(.preconditionFailed, "inequivalent arg 'durable' or 'auto_delete' for queue '\(queue)' in vhost '\(name)'")
            }
            try ArgumentEquivalence.check(existing.arguments, arguments, keys: ArgumentEquivalence.queueKeys,
                                          what: "queue '\(queue)' in vhost '\(name)'")
            return
        }
        if queue.hasPrefix("amq.") { throw AMQPError(.accessRefused, "queue name '\(queue)' contains reserved prefix 'amq.*'") }
        try makeQueue(name: queue, in: vhost, durable: durable, autoDelete: autoDelete, arguments: arguments, owner: nil)
        if durable { definitionsChanged = true }
        finishBurst()
    }

    public func manageDeleteQueue(vhost name: String, queue: String) throws(AMQPError) {
        let vhost = try managedVhost(name)
        deleteQueue(try vhost.queue(queue), in: vhost)
        finishBurst()
    }

    /// Purges a queue; returns how many ready messages went.
    @discardableResult
    public func managePurgeQueue(vhost name: String, queue: String) throws(AMQPError) -> Int {
        let target = try managedVhost(name).queue(queue)
        let purged = target.removeAllReady()
        forgetStored(purged.storeIDs, of: target)
        scheduleDispatch(target)  // its publishers, if it held any, may go
        finishBurst()
        return purged.count
    }

    public func manageDeclareExchange(vhost name: String, exchange: String, type: String, durable: Bool, autoDelete: Bool,
                                      internal: Bool, arguments: FieldTable) throws(AMQPError) {
        let vhost = try managedVhost(name)
        let declared = try vhost.declareExchange(ExchangeDeclare(exchange: exchange, type: type, durable: durable,
                                                                 autoDelete: autoDelete, internal: `internal`, arguments: arguments))
        if !vhost.policies.isEmpty { applyPolicies(to: declared, in: vhost) }
        if durable { definitionsChanged = true }
        finishBurst()
    }

    public func manageDeleteExchange(vhost name: String, exchange: String) throws(AMQPError) {
        try managedVhost(name).deleteExchange(exchange, ifUnused: false)
        definitionsChanged = true
        finishBurst()
    }

    /// Binds a queue or exchange (`destinationType` "queue" or "exchange") to a source exchange.
    public func manageBind(vhost name: String, source: String, destination: String, destinationType: String,
                           routingKey: String, arguments: FieldTable, unbind: Bool = false) throws(AMQPError) {
        let vhost = try managedVhost(name)
        if source.isEmpty { throw AMQPError(.accessRefused, "operation not permitted on the default exchange") }
        let exchange = try vhost.exchange(source)
        let target: Destination
        if destinationType == "queue" {
            _ = try vhost.queue(destination)
            target = .queue(destination)
        } else {
            _ = try vhost.exchange(destination)
            target = .exchange(destination)
        }
        let binding = Binding(destination: target, key: routingKey, arguments: arguments)
        if unbind {
            guard exchange.unbind(binding) else { throw AMQPError(.notFound, "no binding '\(routingKey)' between exchange '\(source)' and \(destinationType) '\(destination)' in vhost '\(name)'") }
        } else {
            try exchange.validateBindingArguments(arguments)
            _ = exchange.bind(binding)
        }
        definitionsChanged = true
        finishBurst()
    }

    /// The definitions RabbitMQ's export holds for durable objects, with policies.
    public func exportDefinitions() -> Definitions { durableDefinitions() }

    /// Imports RabbitMQ-format definitions: every object is checked first, so a bad file changes nothing.
    public func importDefinitions(_ definitions: Definitions) throws(AMQPError) {
        for policy in definitions.policies ?? [] { try policy.validate() }
        _ = try Self.accessEntries(definitions)
        for parameter in definitions.parameters ?? [] {
            guard let policy = parameter.operatorPolicy else {
                throw AMQPError(.preconditionFailed, "parameter '\(parameter.name)' in vhost '\(parameter.vhost)': component '\(parameter.component)' is not supported")
            }
            try policy.validate(.operatorPolicy)
        }
        for exchange in definitions.exchanges where ExchangeType(rawValue: exchange.type) == nil {
            throw AMQPError(.preconditionFailed, "unknown exchange type '\(exchange.type)' for exchange '\(exchange.name)'")
        }
        for queue in definitions.queues {
            _ = try QueueFeatures.parse(queue.arguments.table, queue: queue.name, vhost: queue.vhost)
        }
        let declared = Set(definitions.exchanges.map { "\($0.vhost)\u{0}\($0.name)" })
        let queues = Set(definitions.queues.map { "\($0.vhost)\u{0}\($0.name)" })
        for binding in definitions.bindings {
            let sourceKnown = declared.contains("\(binding.vhost)\u{0}\(binding.source)") || vhosts[binding.vhost]?.exchanges[binding.source] != nil
            let destinationKnown = binding.destinationType == "queue"
                ? queues.contains("\(binding.vhost)\u{0}\(binding.destination)") || vhosts[binding.vhost]?.queues[binding.destination] != nil
                : declared.contains("\(binding.vhost)\u{0}\(binding.destination)") || vhosts[binding.vhost]?.exchanges[binding.destination] != nil
            guard sourceKnown, destinationKnown else {
                throw AMQPError(.notFound, "binding from '\(binding.source)' to \(binding.destinationType) '\(binding.destination)' in vhost '\(binding.vhost)' names an object that does not exist")
            }
        }
        restore(definitions)
        for vhost in vhosts.values { reapplyPolicies(in: vhost) }
        definitionsChanged = true
        finishBurst()
    }

    func managedVhost(_ name: String) throws(AMQPError) -> VirtualHost {
        guard let vhost = vhosts[name] else { throw AMQPError(.notFound, "no vhost '\(name)'") }
        now = clock()
        return vhost
    }
}

extension Broker {
    /// Closes a client connection as RabbitMQ's management API does: connection.close with
    /// 320 CONNECTION_FORCED and the reason; false when no connection has that id.
    public func manageCloseConnection(_ id: UInt64, reason: String) -> Bool {
        guard let session = sessions[ConnectionID(id)] else { return false }
        session.send(.closeConnection(AMQPError(.connectionForced, reason)))
        finishBurst()
        return true
    }
}
