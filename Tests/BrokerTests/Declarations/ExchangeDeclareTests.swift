import AMQPWire
import Testing

@testable import Broker

/// exchange.declare / exchange.delete, the default exchange, reserved names, auto-delete.
@Suite struct ExchangeDeclareTests {
    let broker = Broker()
    let client: TestClient

    static let defaultExchangeText = "ACCESS_REFUSED - operation not permitted on the default exchange"

    init() {
        client = TestClient(broker)
        client.open()
    }

    @Test func everyVhostHasThePredeclaredExchanges() {
        broker.addVhost("dev")
        for vhost in ["/", "dev"] {
            for name in ["", "amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match"] {
                #expect(broker.hasExchange(name, vhost: vhost), "\(vhost) \(name)")
            }
        }
        #expect(broker.vhost("/")?.exchanges["amq.match"]?.type == .headers)
    }

    @Test(arguments: ["amq.mine", "amq."])
    func newAmqExchangeIs403(_ name: String) {
        let out = client.call(.exchangeDeclare(ExchangeDeclare(exchange: name, type: "direct")))
        #expect(out.channelError?.code == .accessRefused)
        #expect(out.channelError?.text == "ACCESS_REFUSED - exchange name '\(name)' contains reserved prefix 'amq.*'")
        #expect(!broker.hasExchange(name))
    }

    @Test func redeclaringAPredeclaredAmqExchangeEquivalentlyIsOk() {
        let out = client.call(.exchangeDeclare(ExchangeDeclare(exchange: "amq.direct", type: "direct", durable: true)))
        expectMethods(out, [.exchangeDeclareOk])
    }

    @Test func declaringTheDefaultExchangeIs403() {
        let out = client.call(.exchangeDeclare(ExchangeDeclare(exchange: "", type: "direct", durable: true)))
        #expect(out.channelError?.code == .accessRefused)
        #expect(out.channelError?.text == Self.defaultExchangeText)
    }

    @Test func passivelyDeclaringTheDefaultExchangeIs403() {
        // rabbit_channel: the passive exchange.declare clause calls check_not_default_exchange too.
        let out = client.call(.exchangeDeclare(ExchangeDeclare(exchange: "", passive: true)))
        #expect(out.channelError?.code == .accessRefused)
        #expect(out.channelError?.text == Self.defaultExchangeText)
    }

    @Test func deletingTheDefaultExchangeIs403() {
        let out = client.call(.exchangeDelete(ExchangeDelete(exchange: "")))
        #expect(out.channelError?.code == .accessRefused)
        #expect(out.channelError?.text == Self.defaultExchangeText)
        #expect(broker.hasExchange(""))
    }

    @Test func deletingAnAmqExchangeIs403() {
        let out = client.call(.exchangeDelete(ExchangeDelete(exchange: "amq.direct")))
        #expect(out.channelError?.code == .accessRefused)
        #expect(broker.hasExchange("amq.direct"))
    }

    @Test func bindingAndUnbindingOnTheDefaultExchangeIs403() {
        client.declareQueue("q")
        let bind = client.call(.queueBind(QueueBind(queue: "q", exchange: "", routingKey: "q")))
        #expect(bind.channelError?.code == .accessRefused)
        #expect(bind.channelError?.text == Self.defaultExchangeText)
        client.open(2)
        let unbind = client.call(.queueUnbind(QueueUnbind(queue: "q", exchange: "", routingKey: "q")), on: 2)
        #expect(unbind.channelError?.text == Self.defaultExchangeText)
    }

    @Test func passiveDeclareOfAMissingExchangeIs404() {
        let out = client.call(.exchangeDeclare(ExchangeDeclare(exchange: "nope", passive: true)))
        #expect(out.channelError?.code == .notFound)
        #expect(out.channelError?.text == "NOT_FOUND - no exchange 'nope' in vhost '/'")
        #expect(out.channelError?.classID == 40)
        #expect(out.channelError?.methodID == 10)
    }

    @Test func passiveDeclareIgnoresTypeAndFlags() {
        client.declareExchange("x", type: "topic", durable: true)
        let out = client.call(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "fanout", passive: true)))
        expectMethods(out, [.exchangeDeclareOk])
    }

    @Test func typeMismatchIs406() {
        client.declareExchange("x", type: "topic")
        let out = client.call(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "fanout")))
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text
            == "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost '/': received 'fanout' but current is 'topic'")
    }

    @Test func durableMismatchIs406() {
        client.declareExchange("x", type: "direct", durable: true)
        let out = client.call(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "direct", durable: false)))
        #expect(out.channelError?.text
            == "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'x' in vhost '/': received 'false' but current is 'true'")
    }

    @Test func onlyAlternateExchangeIsComparedAmongArguments() {
        // rabbit_exchange_type_*:assert_args_equivalence -> only <<"alternate-exchange">>.
        client.declareExchange("x", type: "direct", arguments: ["my-tag": "a", "alternate-exchange": "ae1"])
        let other = client.call(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "direct",
                                                                 arguments: ["my-tag": "b", "alternate-exchange": "ae1"])))
        expectMethods(other, [.exchangeDeclareOk])
        let ae = client.call(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "direct", arguments: ["alternate-exchange": "ae2"])))
        #expect(ae.channelError?.text
            == "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': received 'ae2' but current is 'ae1'")
    }

    @Test func deletingAMissingExchangeIsOk() {
        expectMethods(client.call(.exchangeDelete(ExchangeDelete(exchange: "nope"))), [.exchangeDeleteOk])
    }

    @Test func deleteIfUnusedRefusesAnExchangeWithBindings() {
        client.declareExchange("x", type: "fanout")
        client.declareQueue("q")
        client.bindQueue("q", to: "x")
        let out = client.call(.exchangeDelete(ExchangeDelete(exchange: "x", ifUnused: true)))
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - exchange 'x' in vhost '/' in use")
        #expect(broker.hasExchange("x"))
    }

    @Test func deleteIfUnusedOnlyCountsBindingsFromTheExchange() {
        client.declareExchange("src", type: "fanout")
        client.declareExchange("x", type: "fanout")
        client.bindExchange("x", to: "src")  // x is only a destination
        expectMethods(client.call(.exchangeDelete(ExchangeDelete(exchange: "x", ifUnused: true))), [.exchangeDeleteOk])
        #expect(!broker.hasExchange("x"))
        #expect(broker.vhost("/")?.exchanges["src"]?.bindings.isEmpty == true)
    }

    @Test func autoDeleteExchangeGoesWithItsLastQueueUnbind() {
        client.declareExchange("ad", type: "direct", autoDelete: true)
        client.declareQueue("q")
        client.bindQueue("q", to: "ad", key: "a")
        client.bindQueue("q", to: "ad", key: "b")
        client.call(.queueUnbind(QueueUnbind(queue: "q", exchange: "ad", routingKey: "a")))
        #expect(broker.hasExchange("ad"))
        client.call(.queueUnbind(QueueUnbind(queue: "q", exchange: "ad", routingKey: "b")))
        #expect(!broker.hasExchange("ad"))
    }

    @Test func autoDeleteExchangeGoesWhenItsOnlyBoundQueueIsDeleted() {
        client.declareExchange("ad", type: "fanout", autoDelete: true)
        client.declareQueue("q")
        client.bindQueue("q", to: "ad")
        client.call(.queueDelete(QueueDelete(queue: "q")))
        #expect(!broker.hasExchange("ad"))
    }

    @Test func autoDeleteExchangeGoesWithItsLastExchangeUnbind() {
        client.declareExchange("ad", type: "fanout", autoDelete: true)
        client.declareExchange("dest", type: "fanout")
        client.bindExchange("dest", to: "ad")
        client.call(.exchangeUnbind(ExchangeUnbind(destination: "dest", source: "ad")))
        #expect(!broker.hasExchange("ad"))
        #expect(broker.hasExchange("dest"))
    }

    @Test func autoDeleteExchangeWithoutBindingsEverStays() {
        client.declareExchange("ad", type: "fanout", autoDelete: true)
        client.declareQueue("q")
        client.call(.queueUnbind(QueueUnbind(queue: "q", exchange: "ad", routingKey: "never-bound")))
        #expect(broker.hasExchange("ad"))
    }
}
