import AMQPWire

/// One vhost: its exchanges (with the predeclared `amq.*` ones and the default exchange) and queues.
public final class VirtualHost {
    public let name: String
    public private(set) var exchanges: [String: Exchange] = [:]
    public private(set) var queues: [String: Queue] = [:]
    /// Messages published to, delivered, acknowledged and returned in this vhost so far.
    public internal(set) var counts = MessageCounts()
    /// Policies by name (`Broker.setPolicy`).
    var policies: [String: Policy] = [:]
    /// Operator policies by name (`Broker.setPolicy(_:kind: .operatorPolicy)`).
    var operatorPolicies: [String: Policy] = [:]
    /// The compiled patterns of both.
    var policyPatterns = PolicyPatterns()
    /// Exchanges whose redeclaration may differ in durable and auto-delete (the log exchange, so
    /// the classic tutorial's non-durable `exchange_declare('topic_logs', 'topic')` works unchanged).
    private var lenientExchanges: Set<String> = []
    /// Which exchanges are bound to which queues and exchanges.
    private let bindingSources = BindingSources()

    /// The exchanges every vhost has, as in RabbitMQ.
    static let predeclared: [(String, ExchangeType)] = [
        ("", .direct), ("amq.direct", .direct), ("amq.fanout", .fanout), ("amq.topic", .topic),
        ("amq.headers", .headers), ("amq.match", .headers),
    ]

    init(name: String) {
        self.name = name
        for (exchangeName, type) in Self.predeclared {
            exchanges[exchangeName] = Exchange(name: exchangeName, type: type, durable: true, autoDelete: false,
                                               internal: false, arguments: [:], sources: bindingSources)
        }
    }

    func exchange(_ name: String) throws(AMQPError) -> Exchange {
        guard let exchange = exchanges[name] else {
            throw AMQPError(.notFound, "no exchange '\(name)' in vhost '\(self.name)'")
        }
        return exchange
    }

    func queue(_ name: String) throws(AMQPError) -> Queue {
        guard let queue = queues[name] else {
            throw AMQPError(.notFound, "no queue '\(name)' in vhost '\(self.name)'")
        }
        return queue
    }

    /// Declares (or checks) an exchange as exchange.declare does.
    func declareExchange(_ declare: ExchangeDeclare) throws(AMQPError) -> Exchange {
        if declare.exchange.isEmpty {
            throw AMQPError(.accessRefused, "operation not permitted on the default exchange")
        }
        if declare.passive {
            return try exchange(declare.exchange)
        }
        guard let type = ExchangeType(rawValue: declare.type) else {
            throw AMQPError(.preconditionFailed, "unknown exchange type '\(declare.type)'")
        }
        if let existing = exchanges[declare.exchange] {
            try checkEquivalent(existing, declare, type: type)
            return existing
        }
        if declare.exchange.hasPrefix("amq.") {
            throw AMQPError(.accessRefused, "exchange name '\(declare.exchange)' contains reserved prefix 'amq.*'")
        }
        let exchange = Exchange(name: declare.exchange, type: type, durable: declare.durable, autoDelete: declare.autoDelete,
                                internal: declare.internal, arguments: declare.arguments, sources: bindingSources)
        exchanges[declare.exchange] = exchange
        return exchange
    }

    /// Declares the durable topic exchange that collected logs are published to.
    func declareLogExchange(_ name: String) {
        if exchanges[name] == nil {
            exchanges[name] = Exchange(name: name, type: .topic, durable: true, autoDelete: false, internal: false, arguments: [:],
                                       sources: bindingSources)
        }
        lenientExchanges.insert(name)
    }

    private func checkEquivalent(_ existing: Exchange, _ declare: ExchangeDeclare, type: ExchangeType) throws(AMQPError) {
        let what = "exchange '\(existing.name)' in vhost '\(name)'"
        if existing.type != type {
            throw AMQPError(.preconditionFailed, "inequivalent arg 'type' for \(what): received '\(type.rawValue)' but current is '\(existing.type.rawValue)'")
        }
        if lenientExchanges.contains(existing.name) { return }
        if existing.durable != declare.durable {
            throw AMQPError(.preconditionFailed, "inequivalent arg 'durable' for \(what): received '\(declare.durable)' but current is '\(existing.durable)'")
        }
        if existing.autoDelete != declare.autoDelete {
            throw AMQPError(.preconditionFailed, "inequivalent arg 'auto_delete' for \(what): received '\(declare.autoDelete)' but current is '\(existing.autoDelete)'")
        }
        if existing.internal != declare.internal {
            throw AMQPError(.preconditionFailed, "inequivalent arg 'internal' for \(what): received '\(declare.internal)' but current is '\(existing.internal)'")
        }
        try ArgumentEquivalence.check(existing.arguments, declare.arguments, keys: ArgumentEquivalence.exchangeKeys, what: what)
    }

    /// Deletes an exchange; bindings to and from it go with it.
    func deleteExchange(_ name: String, ifUnused: Bool) throws(AMQPError) {
        if name.isEmpty {
            throw AMQPError(.accessRefused, "operation not permitted on the default exchange")
        }
        if name.hasPrefix("amq.") {  // rabbit_channel:check_exchange_deletion, whether or not it exists
            throw AMQPError(.accessRefused, "deletion of system exchange '\(name)' in vhost '\(self.name)' not allowed")
        }
        guard let exchange = exchanges[name] else { return }  // RabbitMQ: deleting a missing exchange is ok
        if ifUnused && !exchange.bindings.isEmpty {
            throw AMQPError(.preconditionFailed, "exchange '\(name)' in vhost '\(self.name)' in use")
        }
        removeExchange(name)
    }

    /// Pages bodies of queues whose ready messages pass `queueMemoryLimit` bytes.
    weak var pager: (any BodyPager)?
    var queueMemoryLimit = Int.max
    /// Ready messages above which a queue behind fast consumers holds its publishers back.
    var publisherCreditHigh = BacklogPressure.defaultHigh

    func addQueue(_ queue: Queue) {
        queue.pager = pager
        queue.memoryLimit = queueMemoryLimit
        queue.pressure = BacklogPressure(high: publisherCreditHigh)
        queues[queue.name] = queue
    }

    /// Removes a queue and every binding to it.
    /// Removes an exchange and the bindings to it, whatever its name (a rollback, not a client's delete).
    func removeExchange(_ name: String) {
        guard let exchange = exchanges.removeValue(forKey: name) else { return }
        exchange.forgetBindingSources()
        removeBindings(to: .exchange(name))
    }

    func removeQueue(_ queue: Queue) {
        guard queues[queue.name] === queue else { return }
        queues[queue.name] = nil
        queue.isDeleted = true
        removeBindings(to: .queue(queue.name))
    }

    private func removeBindings(to destination: Destination) {
        for name in bindingSources[destination] {
            guard let exchange = exchanges[name], exchange.unbindAll(to: destination) else { continue }
            deleteIfAutoDelete(exchange)
        }
    }

    /// An auto-delete exchange goes when its last binding goes.
    func deleteIfAutoDelete(_ exchange: Exchange) {
        guard exchange.autoDelete, exchange.bindings.isEmpty, exchanges[exchange.name] === exchange else { return }
        exchanges[exchange.name] = nil
        exchange.forgetBindingSources()
        removeBindings(to: .exchange(exchange.name))
    }

    /// Scratch space for routing, reused by every publish.
    private var destinations: [Destination] = []

    /// The queues a message published to an exchange reaches, each once, following
    /// exchange-to-exchange bindings without looping. Each exchange routes at most once per
    /// `walk`, so a graph of many exchanges with many paths, a long chain or a cycle costs
    /// the graph's bindings once; the same walk serves the alternate exchanges tried next.
    func route(exchange: Exchange, routingKey: String, message: Message?, walk: inout RoutingWalk, into queues: inout [Queue]) {
        guard walk.exchanges.insert(exchange.name).inserted else { return }
        destinations.removeAll(keepingCapacity: true)
        exchange.route(routingKey: routingKey, message: message, headers: &walk.headers, into: &destinations)
        var seen: Set<ObjectIdentifier>?  // only for wide fan-out; a short list is searched instead
        var index = 0
        while index < destinations.count {
            switch destinations[index] {
            case .queue(let name):
                guard let queue = self.queues[name] else { break }
                if queues.count < 16 {
                    if !queues.contains(where: { $0 === queue }) { queues.append(queue) }
                } else {
                    if seen == nil { seen = Set(queues.map(ObjectIdentifier.init)) }
                    if seen?.insert(ObjectIdentifier(queue)).inserted == true { queues.append(queue) }
                }
            case .exchange(let name):
                if let next = exchanges[name], walk.exchanges.insert(name).inserted {
                    next.route(routingKey: routingKey, message: message, headers: &walk.headers, into: &destinations)
                }
            }
            index += 1
        }
    }
}

/// What one publish carries through the exchanges it is routed by: the exchanges already
/// visited, and the message's headers, indexed once for every headers exchange on the way.
struct RoutingWalk {
    var exchanges: Set<String> = []
    var headers: HeadersMatch.Lookup?
}
