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
    /// Messages published to this exchange, and those of them it routed to a queue (`publish_in`, `publish_out`).
    public internal(set) var publishedIn = 0
    public internal(set) var publishedOut = 0

    /// Direct routing: the destinations of each binding key, with how many bindings lead there.
    private var direct: [String: [Destination: Int]] = [:]
    private var topic = TopicTrie(bindings: [])
    private var topicCache = RoutingCache()
    /// Where in `bindings` the bindings of each destination and key are (several when their
    /// arguments differ): finding a binding without a scan.
    private var positions: [BindingRoute: [Int]] = [:]
    /// How many bindings lead to each destination.
    private var bindingsTo: [Destination: Int] = [:]
    /// The vhost's record of which exchanges are bound to which destinations.
    private let sources: BindingSources

    init(name: String, type: ExchangeType, durable: Bool, autoDelete: Bool, internal: Bool, arguments: FieldTable,
         sources: BindingSources = BindingSources()) {
        self.sources = sources
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
        if position(of: binding, route) != nil { return false }
        positions[route, default: []].append(bindings.count)
        bindingsTo[binding.destination, default: 0] += 1
        if bindingsTo[binding.destination] == 1 { sources.add(name, to: binding.destination) }
        bindings.append(binding)
        switch type {
        case .direct: direct[binding.key, default: [:]][binding.destination, default: 0] += 1
        case .topic: topic.add(binding)
        case .fanout, .headers: break
        }
        topicCache = RoutingCache()
        return true
    }

    /// Drops this exchange from the vhost's record of bindings (the exchange is being deleted).
    func forgetBindingSources() {
        for destination in bindingsTo.keys { sources.remove(name, from: destination) }
    }

    /// Refuses binding arguments this exchange type cannot route by (a headers exchange's
    /// `x-match` must be one of its four modes), with RabbitMQ's 406.
    func validateBindingArguments(_ arguments: FieldTable) throws(AMQPError) {
        if type == .headers { try HeadersMatch.validate(arguments) }
    }

    /// Whether this exact binding (destination, key and arguments) exists.
    func contains(_ binding: Binding) -> Bool {
        position(of: binding, BindingRoute(binding)) != nil
    }

    /// Removes a binding; false when there was none. The last binding takes its place in
    /// `bindings` (the order bindings are listed in is not kept), so removing costs O(1).
    func unbind(_ binding: Binding) -> Bool {
        let route = BindingRoute(binding)
        guard let index = position(of: binding, route) else { return false }
        positions[route]?.removeAll { $0 == index }
        if positions[route]?.isEmpty == true { positions[route] = nil }
        let last = bindings.count - 1
        if index != last {
            let moved = bindings[last]
            bindings[index] = moved
            positions[BindingRoute(moved)] = positions[BindingRoute(moved)]?.map { $0 == last ? index : $0 }
        }
        bindings.removeLast()
        bindingsTo[binding.destination, default: 1] -= 1
        if bindingsTo[binding.destination] == 0 {
            bindingsTo[binding.destination] = nil
            sources.remove(name, from: binding.destination)
        }
        switch type {
        case .direct:
            let count = direct[binding.key]?[binding.destination] ?? 1
            direct[binding.key]?[binding.destination] = count > 1 ? count - 1 : nil
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
        sources.remove(name, from: destination)
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
            if let found = direct[routingKey] { result.append(contentsOf: found.keys) }
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

    /// Where an identical binding (same destination, key and arguments) is in `bindings`.
    private func position(of binding: Binding, _ route: BindingRoute) -> Int? {
        positions[route]?.first { bindings[$0].arguments == binding.arguments }
    }

    private func rebuildIndex() {
        positions = [:]
        for (index, binding) in bindings.enumerated() { positions[BindingRoute(binding), default: []].append(index) }
        topicCache = RoutingCache()
        switch type {
        case .direct:
            direct = [:]
            for binding in bindings { direct[binding.key, default: [:]][binding.destination, default: 0] += 1 }
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
