import AMQPWire

/// Vhost policies: set, clear, list, and put in force on matching queues and exchanges.
extension Broker {
    /// Adds or replaces a policy (by vhost and name) and applies it at once.
    public func setPolicy(_ policy: Policy) throws(AMQPError) {
        try policy.validate()
        addVhost(policy.vhost)
        guard let vhost = vhosts[policy.vhost] else { return }
        vhost.policies[policy.name] = policy
        reapplyPolicies(in: vhost)
        definitionsChanged = true
        finishBurst()
    }

    /// Removes a policy; false when there was none.
    @discardableResult
    public func clearPolicy(vhost name: String, policy: String) -> Bool {
        guard let vhost = vhosts[name], vhost.policies.removeValue(forKey: policy) != nil else { return false }
        reapplyPolicies(in: vhost)
        definitionsChanged = true
        finishBurst()
        return true
    }

    /// The policies of a vhost (every vhost when nil), by name.
    public func policies(vhost name: String? = nil) -> [Policy] {
        vhosts.values.filter { name == nil || $0.name == name }
            .flatMap(\.policies.values).sorted { ($0.vhost, $0.name) < ($1.vhost, $1.name) }
    }

    /// The policy in force for a queue: of those that match, the highest priority.
    func policy(forQueue name: String, in vhost: VirtualHost) -> Policy? {
        vhost.policies.values.filter { $0.applies(toQueue: name) }.max { ($0.priority, $1.name) < ($1.priority, $0.name) }
    }

    /// The queue's features from its arguments and the policy in force.
    func effectiveFeatures(name: String, arguments: FieldTable, in vhost: VirtualHost) throws(AMQPError) -> QueueFeatures? {
        guard !StreamArguments.isStream(arguments) else { return nil }  // a stream's limits are its retention
        let merged = Policy.merge(arguments, with: policy(forQueue: name, in: vhost))
        return try QueueFeatures.parse(merged, queue: name, vhost: vhost.name)
    }

    private func reapplyPolicies(in vhost: VirtualHost) {
        for queue in vhost.queues.values {
            queue.features = try? effectiveFeatures(name: queue.name, arguments: queue.arguments, in: vhost)
            if queue.features?.isTimed == true { watchTimers(of: queue) }
            scheduleDispatch(queue)
        }
        for exchange in vhost.exchanges.values { applyPolicies(to: exchange, in: vhost) }
    }

    /// The exchange's alternate exchange: its own argument, else the highest-priority policy's.
    func applyPolicies(to exchange: Exchange, in vhost: VirtualHost) {
        exchange.alternateExchange = Self.alternateExchange(exchange.arguments) ?? vhost.policies.values
            .filter { $0.applies(toExchange: exchange.name) && $0.definition.table["alternate-exchange"] != nil }
            .max { $0.priority < $1.priority }
            .flatMap { Self.alternateExchange($0.definition.table) }
    }

    static func alternateExchange(_ table: FieldTable) -> String? {
        if case .longString(let name) = table["alternate-exchange"] { return name }
        return nil
    }
}
