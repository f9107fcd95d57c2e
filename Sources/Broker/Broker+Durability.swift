import AMQPWire
import NIOCore

/// The durable definitions as a snapshot, and restoring definitions and messages at startup.
extension Broker {
    /// Every durable exchange (not the predeclared ones), durable non-exclusive queue, and
    /// binding between durable ends, in every vhost.
    func durableDefinitions() -> Definitions {
        var definitions = Definitions()
        let regular = policies()
        definitions.policies = regular.isEmpty ? nil : regular
        let operatorPolicies = policies(kind: .operatorPolicy)
        definitions.parameters = operatorPolicies.isEmpty ? nil : operatorPolicies.map(RuntimeParameter.init(operatorPolicy:))
        addAccess(to: &definitions)
        for vhost in vhosts.values.sorted(by: { $0.name < $1.name }) {
            definitions.vhosts.append(.init(name: vhost.name))
            let predeclared = Set(VirtualHost.predeclared.map(\.0))
            for exchange in vhost.exchanges.values.sorted(by: { $0.name < $1.name }) where exchange.durable {
                if !predeclared.contains(exchange.name) {
                    definitions.exchanges.append(.init(vhost: vhost.name, name: exchange.name, type: exchange.type.rawValue,
                                                       durable: true, autoDelete: exchange.autoDelete, internal: exchange.internal,
                                                       arguments: JSONFieldTable(exchange.arguments)))
                }
                for binding in exchange.bindings {
                    let (destination, kind, durable): (String, String, Bool) = switch binding.destination {
                    case .queue(let name): (name, "queue", vhost.queues[name]?.isPersistent ?? false)
                    case .exchange(let name): (name, "exchange", vhost.exchanges[name]?.durable ?? false)
                    }
                    guard durable else { continue }
                    definitions.bindings.append(.init(vhost: vhost.name, source: exchange.name, destination: destination,
                                                      destinationType: kind, routingKey: binding.key,
                                                      arguments: JSONFieldTable(binding.arguments)))
                }
            }
            for queue in vhost.queues.values.sorted(by: { $0.name < $1.name }) where queue.isPersistent {
                definitions.queues.append(.init(vhost: vhost.name, name: queue.name, durable: true, autoDelete: queue.autoDelete,
                                                arguments: JSONFieldTable(queue.arguments)))
            }
        }
        return definitions
    }

    /// Recreates durable vhosts, exchanges, queues and bindings (before any client connects), and
    /// says what could not be restored as written. A queue is never dropped, since its messages are
    /// on disk: one whose arguments this version refuses comes back without the features they ask for.
    @discardableResult
    public func restore(_ definitions: Definitions) -> [String] {
        var problems: [String] = []
        for entry in definitions.vhosts { addVhost(entry.name) }
        do throws(AMQPError) {
            if let imported = try Self.accessEntries(definitions) { merge(imported) }
        } catch {
            problems.append("users and permissions not restored: \(error.text)")
        }
        let policies = (definitions.policies ?? []).map { ($0, PolicyKind.policy) }
        for (policy, kind) in policies + definitions.operatorPolicies.map({ ($0, PolicyKind.operatorPolicy) }) {
            addVhost(policy.vhost)
            do {
                try policy.validate(kind)
                vhosts[policy.vhost]?.setPolicy(policy, kind: kind)
            } catch {
                problems.append("policy '\(policy.name)' in vhost '\(policy.vhost)' not restored: \(error.text)")
            }
        }
        for entry in definitions.exchanges {
            addVhost(entry.vhost)
            guard let vhost = vhosts[entry.vhost] else { continue }
            do {
                _ = try vhost.declareExchange(ExchangeDeclare(exchange: entry.name, type: entry.type, durable: true,
                                                              autoDelete: entry.autoDelete, internal: entry.internal,
                                                              arguments: entry.arguments.table))
            } catch {
                problems.append("exchange '\(entry.name)' in vhost '\(entry.vhost)' not restored: \(error.text)")
            }
        }
        for entry in definitions.queues {
            addVhost(entry.vhost)
            guard let vhost = vhosts[entry.vhost], vhost.queues[entry.name] == nil else { continue }
            now = clock()
            do {
                _ = try makeQueue(name: entry.name, in: vhost, durable: true, autoDelete: entry.autoDelete,
                                  arguments: entry.arguments.table, owner: nil)
            } catch {
                let queue = Queue(name: entry.name, vhost: vhost.name, durable: true, autoDelete: entry.autoDelete,
                                  arguments: entry.arguments.table, owner: nil)
                queue.lastUsed = now
                vhost.addQueue(queue)
                problems.append("queue '\(entry.name)' in vhost '\(entry.vhost)' restored without its queue features: \(error.text)")
            }
        }
        for vhost in vhosts.values where !vhost.policies.isEmpty {
            for exchange in vhost.exchanges.values { applyPolicies(to: exchange, in: vhost) }
        }
        for entry in definitions.bindings {
            guard let vhost = vhosts[entry.vhost], let source = vhost.exchanges[entry.source] else {
                problems.append("binding of '\(entry.destination)' to '\(entry.source)' in vhost '\(entry.vhost)' not restored: no such exchange")
                continue
            }
            let destination: Destination = entry.destinationType == "exchange" ? .exchange(entry.destination) : .queue(entry.destination)
            _ = source.bind(Binding(destination: destination, key: entry.routingKey, arguments: entry.arguments.table))
        }
        return problems
    }

    /// Goes back to the definitions on disk after saving a change failed: durable queues,
    /// exchanges and bindings that are not on disk go, those on disk come back, as after a restart
    /// (a durable queue deleted by the failed change comes back empty: its messages' removal is logged).
    func rollBackDefinitions(to saved: Definitions) {
        let current = durableDefinitions()
        let savedQueues = Set(saved.queues.map { "\($0.vhost)\u{0}\($0.name)" })
        for entry in current.queues where !savedQueues.contains("\(entry.vhost)\u{0}\(entry.name)") {
            if let vhost = vhosts[entry.vhost], let queue = vhost.queues[entry.name] { deleteQueue(queue, in: vhost) }
        }
        let savedExchanges = Set(saved.exchanges.map { "\($0.vhost)\u{0}\($0.name)" })
        for entry in current.exchanges where !savedExchanges.contains("\(entry.vhost)\u{0}\(entry.name)") {
            vhosts[entry.vhost]?.removeExchange(entry.name)
        }
        for entry in current.bindings where !saved.bindings.contains(entry) {
            let destination: Destination = entry.destinationType == "exchange" ? .exchange(entry.destination) : .queue(entry.destination)
            _ = vhosts[entry.vhost]?.exchanges[entry.source]?.unbind(Binding(destination: destination, key: entry.routingKey,
                                                                              arguments: entry.arguments.table))
        }
        restore(saved)
        rollBackAccess(to: saved)
    }

    /// Puts a recovered persistent message back on its queue, in order; false when the queue is gone.
    /// Its TTL counts from `publishedAt` when the store kept it, else from now.
    @discardableResult
    public func restoreMessage(vhost: String, queue: String, storeID: UInt64, exchange: String, routingKey: String,
                               publishedAt: Int64?, properties: ByteBuffer, body: ByteBuffer, redelivered: Bool) -> Bool {
        guard let target = vhosts[vhost]?.queues[queue] else { return false }
        let message = Message(StoredMessage(exchange: exchange, routingKey: routingKey, properties: properties, body: body))
        let messageTTL = message.hasExpiration ? try? MessageExpiration.milliseconds(of: message) : nil
        let expiresAt = expiry(messageTTL: messageTTL, in: target, from: publishedAt ?? clock())
        target.enqueue(message, storeID: storeID, redelivered: redelivered, expiresAt: expiresAt)
        return true
    }
}
