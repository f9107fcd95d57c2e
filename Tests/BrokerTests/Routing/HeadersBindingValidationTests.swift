import AMQPWire
import Testing

@testable import Broker

/// A headers binding whose `x-match` is not one of the four modes is refused at bind, as RabbitMQ
/// refuses it (406, channel closed), instead of silently routing as `any`.
@Suite struct HeadersBindingValidationTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
        client.declareExchange("h", type: "headers")
        client.declareQueue("q")
    }

    @Test(arguments: [
        (FieldValue.longString("bogus"), "PRECONDITION_FAILED - Invalid x-match field value <<\"bogus\">>; expected all, any, all-with-x, or any-with-x"),
        (.int8(1), "PRECONDITION_FAILED - Invalid x-match field type byte (value 1); expected longstr"),
        (.longString("ALL"), "PRECONDITION_FAILED - Invalid x-match field value <<\"ALL\">>; expected all, any, all-with-x, or any-with-x"),
    ])
    func invalidModeIsRefused(_ mode: FieldValue, _ text: String) {
        let out = client.call(.queueBind(QueueBind(queue: "q", exchange: "h", routingKey: "", arguments: ["x-match": mode, "a": 1])))
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text == text)
        #expect(broker.vhost("/")?.exchanges["h"]?.bindings.isEmpty == true)
    }

    @Test func exchangeToExchangeBindingsAreCheckedToo() {
        client.declareExchange("x", type: "fanout")
        let out = client.call(.exchangeBind(ExchangeBind(destination: "x", source: "h", arguments: ["x-match": "none"])))
        #expect(out.channelError?.code == .preconditionFailed)
    }

    @Test(arguments: ["all", "any", "all-with-x", "any-with-x"])
    func everyModeIsAccepted(_ mode: String) {
        client.bindQueue("q", to: "h", arguments: ["x-match": .longString(mode), "a": 1])
    }

    @Test func otherExchangeTypesIgnoreXMatch() {
        client.declareExchange("t", type: "topic")
        client.bindQueue("q", to: "t", key: "a.#", arguments: ["x-match": "bogus"])
    }
}
