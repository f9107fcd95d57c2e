import AMQPWire

/// The exchange types warren routes with.
public enum ExchangeType: String, Sendable, CaseIterable {
    case direct, fanout, topic, headers
}

/// An exchange: its declaration, its bindings, and a routing index updated binding by binding.
public final class Exchange {
    public let name: String
    public let type: ExchangeType
    public let durable: Bool
    public let autoDelete: Bool
    public let `internal`: Bool
    public let arguments: FieldTable
    /// The `alternate-exchange` argument (or policy): where messages this exchange cannot route go instead.
    var alternateExchange: String?
    public private(set) var bindings: [Binding] = []

    private var direct: [String: [Destination]] = [:]
    private var topic = TopicTrie(bindings: [])
    private var topicCache = RoutingCache()
    /// The argument tables bound for each destination and key: finding a binding without a scan.
    private var boundArguments: [BindingRoute: [FieldTable]] = [:]
    /// How many bindings lead to each destination.
    private var bindingsTo: [Destination: Int] = [:]

    init(name: String, type: ExchangeType, durable: Bool, autoDelete: Bool, internal: Bool, arguments: FieldTable) {
        self.name = name
        self.type = type
        self.durable = durable
        self.autoDelete = autoDelete
        self.internal = `internal`
        self.arguments = arguments
        alternateExchange = Broker.alternateExchange(arguments)
    }

    /// Adds a binding; false when an identical binding exists. Costs the binding's own words,
    /// not the number of bindings the exchange has.
    func bind(_ binding: Binding) -> Bool {
        let route = BindingRoute(binding)
        if boundArguments[route]?.contains(binding.arguments) == true { return false }
        boundArguments[route, default: []].append(binding.arguments)
        bindingsTo[binding.destination, default: 0] += 1
        bindings.append(binding)
        switch type {
        case .direct: direct[binding.key, default: []].append(binding.destination)
        case .topic: topic.add(binding)
        case .fanout, .headers: break
        }
        topicCache = RoutingCache()
        return true
    }

    /// Refuses binding arguments this exchange type cannot route by (a headers exchange's
    /// `x-match` must be one of its four modes), with RabbitMQ's 406.
    func validateBindingArguments(_ arguments: FieldTable) throws(AMQPError) {
        if type == .headers { try HeadersMatch.validate(arguments) }
    }

    /// Removes a binding; false when there was none.
    func unbind(_ binding: Binding) -> Bool {
        let route = BindingRoute(binding)
        guard var tables = boundArguments[route], let table = tables.firstIndex(of: binding.arguments),
              let index = bindings.firstIndex(of: binding) else { return false }
        tables.remove(at: table)
        boundArguments[route] = tables.isEmpty ? nil : tables
        bindingsTo[binding.destination, default: 1] -= 1
        if bindingsTo[binding.destination] == 0 { bindingsTo[binding.destination] = nil }
        bindings.remove(at: index)
        switch type {
        case .direct:
            if let position = direct[binding.key]?.firstIndex(of: binding.destination) { direct[binding.key]?.remove(at: position) }
            if direct[binding.key]?.isEmpty == true { direct[binding.key] = nil }
        case .topic:
            topic.remove(binding)
            if topic.needsRebuild { topic = TopicTrie(bindings: bindings) }
        case .fanout, .headers: break
        }
        topicCache = RoutingCache()
        return true
    }

    /// Removes every binding to a destination (a deleted queue or exchange); an exchange with
    /// none to it answers at once.
    func unbindAll(to destination: Destination) -> Bool {
        guard bindingsTo[destination] != nil else { return false }
        bindingsTo[destination] = nil
        bindings.removeAll { $0.destination == destination }
        rebuildIndex()
        return true
    }

    /// The destinations this exchange sends a message to (may hold duplicates).
    /// `message` is read only by a headers exchange, which indexes its headers into `headers`
    /// once for every headers exchange the publish passes.
    func route(routingKey: String, message: Message?, headers: inout HeadersMatch.Lookup?, into result: inout [Destination]) {
        switch type {
        case .direct:
            if let found = direct[routingKey] { result.append(contentsOf: found) }
        case .fanout:
            for binding in bindings { result.append(binding.destination) }
        case .topic:
            if let cached = topicCache[routingKey] {
                result.append(contentsOf: cached)
                return
            }
            var matched: [Destination] = []
            topic.match(routingKey, into: &matched)
            topicCache.remember(matched, for: routingKey)
            result.append(contentsOf: matched)
        case .headers:
            guard !bindings.isEmpty else { return }
            let lookup = headers ?? HeadersMatch.Lookup(message?.properties.headers)
            headers = lookup
            for binding in bindings where HeadersMatch.matches(binding: binding.arguments, headers: lookup) {
                result.append(binding.destination)
            }
        }
    }

    private func rebuildIndex() {
        boundArguments = [:]
        for binding in bindings { boundArguments[BindingRoute(binding), default: []].append(binding.arguments) }
        topicCache = RoutingCache()
        switch type {
        case .direct:
            direct = [:]
            for binding in bindings { direct[binding.key, default: []].append(binding.destination) }
        case .topic:
            topic = TopicTrie(bindings: bindings)
        case .fanout, .headers:
            break
        }
    }
}

/// A binding without its arguments: bindings that differ only in arguments share one.
private struct BindingRoute: Hashable {
    let destination: Destination
    let key: String

    init(_ binding: Binding) {
        destination = binding.destination
        key = binding.key
    }
}
