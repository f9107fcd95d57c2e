import AMQPWire
import Testing

@testable import Broker
@testable import Management

/// A binding's `properties_key` (the last part of its DELETE URL) tells apart every binding
/// between one source and destination, as RabbitMQ's does.
@Suite struct BindingPropertiesKeyTests {
    private func binding(_ key: String, _ arguments: FieldTable = [:]) -> BindingSnapshot {
        BindingSnapshot(vhost: "/", source: "x", destination: "q", destinationType: "queue", routingKey: key, arguments: arguments)
    }

    @Test func theKeyIsTheQuotedRoutingKeyAndArgumentsAddADigest() {
        #expect(JSONResponse.propertiesKey(binding("")) == "~")
        #expect(JSONResponse.propertiesKey(binding("plain")) == "plain")
        #expect(JSONResponse.propertiesKey(binding("a.#")) == "a%2E%23")
        let one = JSONResponse.propertiesKey(binding("a.#", ["x-note": .boolean(true)]))
        let other = JSONResponse.propertiesKey(binding("a.#", ["x-note": .boolean(false)]))
        #expect(one.hasPrefix("a%2E%23~") && other.hasPrefix("a%2E%23~") && one != other)
        #expect(one == JSONResponse.propertiesKey(binding("a.#", ["x-note": .boolean(true)])))  // stable
        #expect(JSONResponse.propertiesKey(binding("", ["x-note": .boolean(true)])).hasPrefix("~"))
    }
}
