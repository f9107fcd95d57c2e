import AMQPWire

/// The exchange types warren routes with.
public enum ExchangeType: String, Sendable, CaseIterable {
    case direct, fanout, topic, headers
}

/// An exchange: its declaration, its bindings, and a routing index rebuilt when bindings change.
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

    init(name: String, type: ExchangeType, durable: Bool, autoDelete: Bool, internal: Bool, arguments: FieldTable) {
        self.name = name
        self.type = type
        self.durable = durable
        self.autoDelete = autoDelete
        self.internal = `internal`
        self.arguments = arguments
        alternateExchange = Broker.alternateExchange(arguments)
    }

    /// Adds a binding; false when an identical binding exists.
    func bind(_ binding: Binding) -> Bool {
        guard !bindings.contains(binding) else { return false }
        bindings.append(binding)
        rebuildIndex()
        return true
    }

    /// Removes a binding; false when there was none.
    func unbind(_ binding: Binding) -> Bool {
        guard let index = bindings.firstIndex(of: binding) else { return false }
        bindings.remove(at: index)
        rebuildIndex()
        return true
    }

    /// Removes every binding to a destination (a deleted queue or exchange).
    func unbindAll(to destination: Destination) -> Bool {
        let before = bindings.count
        bindings.removeAll { $0.destination == destination }
        guard bindings.count != before else { return false }
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
        switch type {
        case .direct:
            direct = [:]
            for binding in bindings { direct[binding.key, default: []].append(binding.destination) }
        case .topic:
            topic = TopicTrie(bindings: bindings)
            topicCache = RoutingCache()
        case .fanout, .headers:
            break
        }
    }
}
