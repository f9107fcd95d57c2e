import AMQPWire
import Testing

@testable import Broker

/// Exchange-to-exchange graphs and headers bindings cost each exchange and each header once per
/// publish, whatever the number of paths, the length of a chain or the number of entries.
@Suite struct RoutingGraphBoundsTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
    }

    /// Routes a message the way a publish does and returns the queues it reached and the exchanges it passed.
    func walk(from exchange: String, key: String = "k", headers: FieldTable? = nil) -> (queues: [String], exchanges: Int) {
        guard let vhost = broker.vhost("/"), let source = vhost.exchanges[exchange] else { return ([], 0) }
        let header = ContentHeader(bodySize: 0, properties: BasicProperties(headers: headers))
        let message = Message(exchange: exchange, routingKey: key, header: header, body: .init())
        var walk = RoutingWalk()
        var queues: [Queue] = []
        vhost.route(exchange: source, routingKey: key, message: message, walk: &walk, into: &queues)
        return (queues.map(\.name), walk.exchanges.count)
    }

    @Test func layeredGraphWithExponentiallyManyPathsVisitsEachExchangeOnce() {
        // 12 layers of 6 fanout exchanges, each bound to every exchange of the next layer: 6^11 paths.
        let layers = (0..<12).map { layer in (0..<6).map { "x\(layer).\($0)" } }
        client.declareExchange("top", type: "fanout")
        for layer in layers { for name in layer { client.declareExchange(name, type: "fanout") } }
        for name in layers[0] { client.bindExchange(name, to: "top") }
        for (upper, lower) in zip(layers, layers.dropFirst()) {
            for source in upper { for destination in lower { client.bindExchange(destination, to: source) } }
        }
        client.declareQueue("q")
        for name in layers[11] { client.bindQueue("q", to: name) }
        let (queues, exchanges) = walk(from: "top")
        #expect(queues == ["q"])
        #expect(exchanges == 1 + 12 * 6)
        client.publish("m", exchange: "top", key: "k")
        #expect(broker.readyBodies("q") == ["m"])
    }

    @Test func longChainAndCycleBackToItsStart() {
        let names = (0..<500).map { "c\($0)" }
        for name in names { client.declareExchange(name, type: "topic") }
        for (source, destination) in zip(names, names.dropFirst()) { client.bindExchange(destination, to: source, key: "#") }
        client.bindExchange(names[0], to: names[499], key: "#")
        client.declareQueue("end")
        client.bindQueue("end", to: names[499], key: "k")
        let (queues, exchanges) = walk(from: names[0])
        #expect(queues == ["end"])
        #expect(exchanges == 500)
    }

    @Test func alternateExchangesShareTheWalk() {
        // Each exchange of an alternate chain routes nowhere but also fans out to a shared graph:
        // the graph is walked once, not once per alternate.
        client.declareExchange("shared", type: "fanout")
        for index in 0..<50 { client.declareExchange("s\(index)", type: "fanout") }
        for index in 0..<50 { client.bindExchange("s\(index)", to: "shared") }
        for index in (0..<50).reversed() {
            let alternate: FieldTable = index == 49 ? ["alternate-exchange": "last"] : ["alternate-exchange": .longString("a\(index + 1)")]
            client.declareExchange("a\(index)", type: "fanout", arguments: alternate)
            client.bindExchange("shared", to: "a\(index)")
        }
        client.declareExchange("last", type: "fanout")
        client.declareQueue("caught")
        client.bindQueue("caught", to: "last")
        client.publish("m", exchange: "a0", key: "k")
        #expect(broker.readyBodies("caught") == ["m"])
    }

    @Test func deletingAQueueUnbindsItFromExactlyTheExchangesBoundToIt() {
        for index in 0..<2000 { client.declareExchange("e\(index)", type: "direct") }
        client.declareQueue("q")
        client.declareQueue("other")
        for index in [3, 700, 1999] { client.bindQueue("q", to: "e\(index)", key: "k") }
        client.bindQueue("other", to: "e700", key: "k")
        client.declareExchange("auto", type: "fanout", autoDelete: true)
        client.bindQueue("q", to: "auto")
        client.call(.queueDelete(QueueDelete(queue: "q")))
        let exchanges = broker.vhost("/")?.exchanges ?? [:]
        #expect(exchanges.values.allSatisfy { exchange in !exchange.bindings.contains { $0.destination == .queue("q") } })
        #expect(exchanges["e700"]?.bindings.map(\.destination) == [.queue("other")])
        #expect(exchanges["auto"] == nil)  // its last binding went with the queue
        // A deleted exchange leaves no trace: one declared again under its name starts unbound.
        client.call(.exchangeDelete(ExchangeDelete(exchange: "e700")))
        client.declareExchange("e700", type: "direct")
        client.call(.queueDelete(QueueDelete(queue: "other")))
        #expect(broker.vhost("/")?.exchanges["e700"]?.bindings.isEmpty == true)
    }

    @Test func headersWithThousandsOfEntriesMatchByIndex() {
        let count = 5000
        let headers = FieldTable((0..<count).map { FieldTable.Entry(key: "h\($0)", value: .int32(Int32($0))) })
        var all = FieldTable((0..<count).map { FieldTable.Entry(key: "h\($0)", value: .int64(Int64($0))) })
        all["x-match"] = "all"
        var any = FieldTable((0..<count).map { FieldTable.Entry(key: "other\($0)", value: .int32(0)) })
        any.entries.append(.init(key: "h\(count - 1)", value: .int32(Int32(count - 1))))
        any["x-match"] = "any"
        client.declareExchange("h", type: "headers")
        client.declareQueue("all")
        client.declareQueue("any")
        client.declareQueue("none")
        client.bindQueue("all", to: "h", arguments: all)
        client.bindQueue("any", to: "h", arguments: any)
        var missing = all
        missing["h0"] = .int32(-1)
        client.bindQueue("none", to: "h", arguments: missing)
        #expect(Set(walk(from: "h", headers: headers).queues) == ["all", "any"])
    }

    @Test func duplicateHeaderKeysUseTheFirstAsTheTableReads() {
        let headers = FieldTable([.init(key: "a", value: 1), .init(key: "a", value: 2)])
        #expect(HeadersMatch.matches(binding: ["a": 1], headers: headers))
        #expect(!HeadersMatch.matches(binding: ["a": 2], headers: headers))
    }
}
