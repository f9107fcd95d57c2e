import AMQPWire
import Testing

@testable import Broker

/// The routing index is updated binding by binding: after any sequence of binds and unbinds an
/// exchange routes exactly as one built from its remaining bindings would.
@Suite struct ExchangeIndexTests {
    static func route(_ exchange: Exchange, _ key: String) -> Set<Destination> {
        var headers: HeadersMatch.Lookup?
        var found: [Destination] = []
        exchange.route(routingKey: key, message: nil, headers: &headers, into: &found)
        return Set(found)
    }

    static func rebuilt(_ exchange: Exchange) -> Exchange {
        let fresh = Exchange(name: "fresh", type: exchange.type, durable: false, autoDelete: false, internal: false, arguments: [:])
        for binding in exchange.bindings { _ = fresh.bind(binding) }
        return fresh
    }

    static let keys = ["a", "a.b", "a.b.c", "b", "", ".", "x.a.b", "a..b"]
    static let patterns = ["a", "a.*", "a.#", "#", "*.b", "#.b", "a.b", "", "*", "#.#"]

    @Test(arguments: [ExchangeType.topic, .direct])
    func bindAndUnbindInAnyOrderRouteAsARebuiltExchange(_ type: ExchangeType) {
        let exchange = Exchange(name: "x", type: type, durable: false, autoDelete: false, internal: false, arguments: [:])
        let keys = type == .topic ? Self.patterns : Self.keys
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15  // a fixed linear congruential sequence: the same run every time
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % bound
        }
        for step in 0..<3000 {
            let binding = Binding(destination: .queue("q\(next(4))"), key: keys[next(keys.count)],
                                  arguments: next(2) == 0 ? [:] : ["v": .int32(Int32(next(2)))])
            if next(3) == 0 { _ = exchange.unbind(binding) } else { _ = exchange.bind(binding) }
            if step % 100 == 0 || step == 2999 {
                let fresh = Self.rebuilt(exchange)
                for key in Self.keys { #expect(Self.route(exchange, key) == Self.route(fresh, key), "step \(step) key '\(key)'") }
            }
        }
    }

    @Test func bindingsThatDifferOnlyInArgumentsLeaveOneByOne() {
        let exchange = Exchange(name: "x", type: .topic, durable: false, autoDelete: false, internal: false, arguments: [:])
        let first = Binding(destination: .queue("q"), key: "a.*", arguments: ["n": 1])
        let second = Binding(destination: .queue("q"), key: "a.*", arguments: ["n": 2])
        #expect(exchange.bind(first) && exchange.bind(second) && !exchange.bind(first))
        #expect(exchange.unbind(first) && !exchange.unbind(first))
        #expect(Self.route(exchange, "a.b") == [.queue("q")])
        #expect(exchange.unbind(second))
        #expect(Self.route(exchange, "a.b").isEmpty && exchange.bindings.isEmpty)
    }

    @Test func unbindAllToADestinationOnlyTouchesExchangesBoundToIt() {
        let exchange = Exchange(name: "x", type: .topic, durable: false, autoDelete: false, internal: false, arguments: [:])
        _ = exchange.bind(Binding(destination: .queue("gone"), key: "#"))
        _ = exchange.bind(Binding(destination: .queue("kept"), key: "a"))
        #expect(!exchange.unbindAll(to: .queue("never-bound")))
        #expect(exchange.unbindAll(to: .queue("gone")))
        #expect(!exchange.unbindAll(to: .queue("gone")))
        #expect(Self.route(exchange, "a") == [.queue("kept")])
    }

    @Test func manyBindingsAreAddedOneByOne() {
        // Each bind costs its own words: 50,000 bindings on one exchange, then each found.
        let exchange = Exchange(name: "x", type: .topic, durable: false, autoDelete: false, internal: false, arguments: [:])
        for index in 0..<50_000 { _ = exchange.bind(Binding(destination: .queue("q"), key: "a.\(index).#")) }
        #expect(exchange.bindings.count == 50_000)
        #expect(Self.route(exchange, "a.49999.x") == [.queue("q")])
        #expect(!exchange.bind(Binding(destination: .queue("q"), key: "a.7.#")))
    }

    @Test(arguments: [ExchangeType.topic, .direct])
    func manyBindingsOfOneKeyLeaveOneByOne(_ type: ExchangeType) {
        // 50,000 queues on one key, unbound in publish order: each unbind costs O(1), not a scan.
        let exchange = Exchange(name: "x", type: type, durable: false, autoDelete: false, internal: false, arguments: [:])
        let bindings = (0..<50_000).map { Binding(destination: .queue("q\($0)"), key: "k") }
        for binding in bindings { _ = exchange.bind(binding) }
        #expect(Self.route(exchange, "k").count == 50_000)
        for binding in bindings.dropLast() { #expect(exchange.unbind(binding)) }
        #expect(Self.route(exchange, "k") == [.queue("q49999")])
        #expect(exchange.bindings == [bindings[49_999]])
    }
}
