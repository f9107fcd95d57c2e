import AMQPWire

/// Vhost policies and operator policies: set, clear, list, and put in force on matching queues and exchanges.
extension Broker {
    /// Adds or replaces a policy (by vhost, kind and name) and applies it at once.
    public func setPolicy(_ policy: Policy, kind: PolicyKind = .policy) throws(AMQPError) {
        try policy.validate(kind)
        addVhost(policy.vhost)
        guard let vhost = vhosts[policy.vhost] else { return }
        vhost.setPolicy(policy, kind: kind)
        reapplyPolicies(in: vhost)
        definitionsChanged = true
        finishBurst()
    }

    /// Removes a policy; false when there was none.
    @discardableResult
    public func clearPolicy(vhost name: String, policy: String, kind: PolicyKind = .policy) -> Bool {
        guard let vhost = vhosts[name], vhost.removePolicy(policy, kind: kind) else { return false }
        reapplyPolicies(in: vhost)
        definitionsChanged = true
        finishBurst()
        return true
    }

    /// The policies of a kind in a vhost (every vhost when nil), by vhost and name.
    public func policies(vhost name: String? = nil, kind: PolicyKind = .policy) -> [Policy] {
        vhosts.values.filter { name == nil || $0.name == name }
            .flatMap { $0.policySet(kind).values }.sorted { ($0.vhost, $0.name) < ($1.vhost, $1.name) }
    }

    /// The policy of a kind in force for a queue: of those that match, the highest priority.
    func policy(forQueue name: String, in vhost: VirtualHost, kind: PolicyKind = .policy) -> Policy? {
        vhost.policySet(kind).values.filter { $0.appliesToQueues && vhost.matches($0, name) }.max { ($0.priority, $1.name) < ($1.priority, $0.name) }
    }

    /// The definition in force for a queue: its policy's, capped by its operator policy's.
    func effectivePolicyDefinition(forQueue name: String, in vhost: VirtualHost) -> FieldTable {
        Policy.effectiveDefinition(policy: policy(forQueue: name, in: vhost),
                                   operatorPolicy: policy(forQueue: name, in: vhost, kind: .operatorPolicy))
    }

    /// The queue's features from its arguments and the policies in force.
    func effectiveFeatures(name: String, arguments: FieldTable, in vhost: VirtualHost) throws(AMQPError) -> QueueFeatures? {
        guard !StreamArguments.isStream(arguments) else { return nil }  // a stream's limits are its retention
        let merged = Policy.merge(arguments, withDefinition: effectivePolicyDefinition(forQueue: name, in: vhost))
        return try QueueFeatures.parse(merged, queue: name, vhost: vhost.name)
    }

    /// Puts the vhost's policies in force on every queue and exchange in it.
    func reapplyPolicies(in vhost: VirtualHost) {
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
            .filter { $0.appliesToExchanges && $0.definition.table["alternate-exchange"] != nil && vhost.matches($0, exchange.name) }
            .max { $0.priority < $1.priority }
            .flatMap { Self.alternateExchange($0.definition.table) }
    }

    static func alternateExchange(_ table: FieldTable) -> String? {
        if case .longString(let name) = table["alternate-exchange"] { return name }
        return nil
    }
}
