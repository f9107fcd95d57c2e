import AMQPWire
import Testing

@testable import Broker

/// exchange.bind: routing through chains, cycles and diamonds, each queue reached once.
@Suite struct ExchangeToExchangeTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
    }

    @Test func chainRoutesThroughEveryHop() {
        client.declareExchange("x1", type: "topic")
        client.declareExchange("x2", type: "direct")
        client.declareQueue("q")
        client.bindExchange("x2", to: "x1", key: "a.*")
        client.bindQueue("q", to: "x2", key: "a.b")
        client.publish("yes", exchange: "x1", key: "a.b")
        client.publish("no-x2", exchange: "x1", key: "a.c")  // passes x1, not x2
        client.publish("no-x1", exchange: "x1", key: "b.b")
        #expect(broker.readyBodies("q") == ["yes"])
    }

    @Test func cycleDeliversOnceAndTerminates() {
        client.declareExchange("x1", type: "fanout")
        client.declareExchange("x2", type: "fanout")
        client.declareExchange("x3", type: "fanout")
        client.bindExchange("x2", to: "x1")
        client.bindExchange("x3", to: "x2")
        client.bindExchange("x1", to: "x3")  // x1 → x2 → x3 → x1
        client.bindExchange("x1", to: "x1")  // and a self-loop
        client.declareQueue("q1")
        client.declareQueue("q2")
        client.declareQueue("q3")
        client.bindQueue("q1", to: "x1")
        client.bindQueue("q2", to: "x2")
        client.bindQueue("q3", to: "x3")
        client.publish("from-x1", exchange: "x1", key: "")
        client.publish("from-x3", exchange: "x3", key: "")
        #expect(broker.readyBodies("q1") == ["from-x1", "from-x3"])
        #expect(broker.readyBodies("q2") == ["from-x1", "from-x3"])
        #expect(broker.readyBodies("q3") == ["from-x1", "from-x3"])
    }

    @Test func diamondAndDirectPathReachTheQueueOnce() {
        client.declareExchange("top", type: "fanout")
        client.declareExchange("left", type: "fanout")
        client.declareExchange("right", type: "topic")
        client.declareQueue("q")
        client.bindExchange("left", to: "top")
        client.bindExchange("right", to: "top")
        client.bindQueue("q", to: "left")
        client.bindQueue("q", to: "right", key: "#")
        client.bindQueue("q", to: "top")
        client.publish("m", exchange: "top", key: "k")
        #expect(broker.readyBodies("q") == ["m"])
    }

    @Test func wideFanOutThroughSeveralPathsStillDeliversOncePerQueue() {
        // More than a handful of queues, each reachable directly and through two other exchanges.
        client.declareExchange("top", type: "fanout")
        client.declareExchange("mid1", type: "fanout")
        client.declareExchange("mid2", type: "topic")
        client.bindExchange("mid1", to: "top")
        client.bindExchange("mid2", to: "top")
        let names = (0..<40).map { "q\($0)" }
        for name in names {
            client.declareQueue(name)
            client.bindQueue(name, to: "top")
            client.bindQueue(name, to: "mid1")
            client.bindQueue(name, to: "mid2", key: "#")
        }
        client.publish("m", exchange: "top", key: "k")
        for name in names {
            #expect(broker.readyBodies(name) == ["m"], "\(name)")
        }
    }

    @Test func internalExchangeRoutesWhatReachesItThroughABinding() {
        client.declareExchange("public", type: "fanout")
        client.declareExchange("hidden", type: "fanout", internal: true)
        client.declareQueue("q")
        client.bindExchange("hidden", to: "public")
        client.bindQueue("q", to: "hidden")
        let out = client.publish("m", exchange: "public", key: "")
        #expect(out.isEmpty)
        #expect(broker.readyBodies("q") == ["m"])
    }

    @Test func unbindCutsThePath() {
        client.declareExchange("x1", type: "fanout")
        client.declareExchange("x2", type: "fanout")
        client.declareQueue("q")
        client.bindExchange("x2", to: "x1", key: "k")
        client.bindQueue("q", to: "x2")
        client.publish("1", exchange: "x1", key: "")
        let out = client.call(.exchangeUnbind(ExchangeUnbind(destination: "x2", source: "x1", routingKey: "k")))
        expectMethods(out, [.exchangeUnbindOk])
        client.publish("2", exchange: "x1", key: "")
        #expect(broker.readyBodies("q") == ["1"])
    }

    @Test func deletingTheDestinationExchangeRemovesBindingsToIt() {
        client.declareExchange("x1", type: "fanout")
        client.declareExchange("x2", type: "fanout")
        client.bindExchange("x2", to: "x1")
        client.call(.exchangeDelete(ExchangeDelete(exchange: "x2")))
        #expect(broker.vhost("/")?.exchanges["x1"]?.bindings.isEmpty == true)
    }

    @Test func bindingToAMissingExchangeIs404() {
        client.declareExchange("x1", type: "fanout")
        let out = client.call(.exchangeBind(ExchangeBind(destination: "nope", source: "x1")))
        #expect(out.channelError?.code == .notFound)
        #expect(out.channelError?.text == "NOT_FOUND - no exchange 'nope' in vhost '/'")
    }

    @Test func defaultExchangeTakesNoExchangeBindings() {
        client.declareExchange("x1", type: "fanout")
        for bind in [ExchangeBind(destination: "x1", source: ""), ExchangeBind(destination: "", source: "x1")] {
            client.open(2)
            let out = client.call(.exchangeBind(bind), on: 2)
            #expect(out.channelErrors.first?.channel == 2)
            #expect(out.channelError?.code == .accessRefused)
            #expect(out.channelError?.text == "ACCESS_REFUSED - operation not permitted on the default exchange")
            client.close(2)
        }
    }
}
