import AMQPWire
import Testing

@testable import Broker

/// A headers binding against message headers (nil = the message has no headers property).
struct HeadersCase: Sendable, CustomTestStringConvertible {
    let name: String
    let binding: FieldTable
    let headers: FieldTable?
    let matches: Bool
    var testDescription: String { name }
}

@Suite struct HeadersMatchTests {
    static let cases: [HeadersCase] = [
        // x-match all (also the default)
        .init(name: "all: every pair present", binding: ["x-match": "all", "a": 1, "b": "two"],
              headers: ["a": 1, "b": "two", "c": 3], matches: true),
        .init(name: "all: one pair missing", binding: ["x-match": "all", "a": 1, "b": "two"],
              headers: ["a": 1], matches: false),
        .init(name: "all: one value differs", binding: ["x-match": "all", "a": 1, "b": "two"],
              headers: ["a": 1, "b": "three"], matches: false),
        .init(name: "default is all", binding: ["a": 1, "b": 2], headers: ["a": 1], matches: false),
        .init(name: "default is all, all present", binding: ["a": 1, "b": 2], headers: ["b": 2, "a": 1], matches: true),
        .init(name: "all with no pairs matches anything", binding: ["x-match": "all"], headers: nil, matches: true),
        .init(name: "all without headers property", binding: ["a": 1], headers: nil, matches: false),
        // x-match any
        .init(name: "any: one pair present", binding: ["x-match": "any", "a": 1, "b": 2], headers: ["a": 1], matches: true),
        .init(name: "any: none present", binding: ["x-match": "any", "a": 1, "b": 2], headers: ["c": 1], matches: false),
        .init(name: "any: key present, value differs", binding: ["x-match": "any", "a": 1], headers: ["a": 2], matches: false),
        .init(name: "any with no pairs matches nothing", binding: ["x-match": "any"], headers: ["a": 1], matches: false),
        .init(name: "any without headers property", binding: ["x-match": "any", "a": 1], headers: nil, matches: false),
        // x- keys in the binding are ignored unless *-with-x
        .init(name: "all ignores x- binding keys", binding: ["x-match": "all", "x-tag": "t", "a": 1],
              headers: ["a": 1], matches: true),
        .init(name: "any ignores x- binding keys", binding: ["x-match": "any", "x-tag": "t"],
              headers: ["x-tag": "t"], matches: false),
        .init(name: "all-with-x needs x- keys", binding: ["x-match": "all-with-x", "x-tag": "t", "a": 1],
              headers: ["a": 1], matches: false),
        .init(name: "all-with-x all present", binding: ["x-match": "all-with-x", "x-tag": "t", "a": 1],
              headers: ["a": 1, "x-tag": "t"], matches: true),
        .init(name: "any-with-x on an x- key", binding: ["x-match": "any-with-x", "x-tag": "t", "a": 1],
              headers: ["x-tag": "t"], matches: true),
        .init(name: "any-with-x nothing matches", binding: ["x-match": "any-with-x", "x-tag": "t"],
              headers: ["x-tag": "u"], matches: false),
        // void binding value: presence only
        .init(name: "void means presence", binding: ["a": .void], headers: ["a": "anything"], matches: true),
        .init(name: "void needs the key", binding: ["a": .void], headers: ["b": 1], matches: false),
        .init(name: "void in any", binding: ["x-match": "any", "a": .void, "b": 1], headers: ["a": 5], matches: true),
        .init(name: "void header value is not a wildcard", binding: ["a": 1], headers: ["a": .void], matches: false),
        // values compare by value across integer tags, never across kinds
        .init(name: "I 5 equals l 5", binding: ["n": .int32(5)], headers: ["n": .int64(5)], matches: true),
        .init(name: "B 5 equals s 5", binding: ["n": .uint8(5)], headers: ["n": .int16(5)], matches: true),
        .init(name: "L 7 equals b 7", binding: ["n": .uint64(7)], headers: ["n": .int8(7)], matches: true),
        .init(name: "I 5 differs from s 6", binding: ["n": .int32(5)], headers: ["n": .int16(6)], matches: false),
        .init(name: "f 1.5 equals d 1.5", binding: ["v": .float(1.5)], headers: ["v": .double(1.5)], matches: true),
        .init(name: "f 1.5 differs from d 1.25", binding: ["v": .float(1.5)], headers: ["v": .double(1.25)], matches: false),
        .init(name: "string '5' differs from integer 5", binding: ["n": "5"], headers: ["n": 5], matches: false),
        .init(name: "booleans", binding: ["f": true], headers: ["f": true], matches: true),
        .init(name: "booleans differ", binding: ["f": true], headers: ["f": false], matches: false),
        .init(name: "strings are exact", binding: ["s": "abc"], headers: ["s": "ABC"], matches: false),
    ]

    @Test(arguments: cases)
    func match(_ c: HeadersCase) {
        #expect(HeadersMatch.matches(binding: c.binding, headers: c.headers) == c.matches)
    }

    @Test func headersExchangeRoutesByBindingArguments() {
        let broker = Broker()
        let client = TestClient(broker)
        client.open()
        client.declareQueue("all")
        client.declareQueue("any")
        client.bindQueue("all", to: "amq.match", key: "ignored", arguments: ["x-match": "all", "format": "pdf", "type": "report"])
        client.bindQueue("any", to: "amq.headers", arguments: ["x-match": "any", "format": "pdf", "type": "report"])
        client.declareExchange("h", type: "headers")
        client.bindQueue("all", to: "h", arguments: ["format": "pdf", "type": "report"])
        client.bindQueue("any", to: "h", arguments: ["x-match": "any", "format": "pdf", "type": "report"])

        client.publish("both", exchange: "h", key: "k", properties: BasicProperties(headers: ["format": "pdf", "type": "report"]))
        client.publish("one", exchange: "h", key: "k", properties: BasicProperties(headers: ["format": "pdf"]))
        client.publish("none", exchange: "h", key: "k")
        client.publish("m", exchange: "amq.match", key: "x", properties: BasicProperties(headers: ["type": "report", "format": "pdf"]))
        client.publish("h1", exchange: "amq.headers", key: "x", properties: BasicProperties(headers: ["type": "report"]))
        #expect(broker.readyBodies("all") == ["both", "m"])
        #expect(broker.readyBodies("any") == ["both", "one", "h1"])
    }
}
