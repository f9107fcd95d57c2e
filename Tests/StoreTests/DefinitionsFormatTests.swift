import AMQPWire
@testable import Broker
import Foundation
import NIOCore
import Testing

@testable import Store

/// The definitions file: every field type round-trips (format 2, typed tables), files of
/// format 1 (RabbitMQ's JSON arguments) still load, newer formats are refused; RabbitMQ's JSON
/// (the management API) refuses what JSON cannot hold.
@Suite struct DefinitionsFormatTests {
    static let everyType: FieldTable = [
        "nan": .double(.nan), "inf": .double(-.infinity), "float-nan": .float(.nan), "bool": .boolean(true),
        "i8": .int8(-8), "u8": .uint8(200), "i16": .int16(-300), "u16": .uint16(60000), "i32": .int32(-70000),
        "u32": .uint32(4_000_000_000), "i64": .int64(.min), "u64": .uint64(.max), "decimal": .decimal(scale: 2, value: 12345),
        "text": .longString("naïve\u{0}"), "bytes": .byteArray([0, 255, 7]), "time": .timestamp(.max), "void": .void,
        "array": .array([.int8(1), .table(["nested": .double(.infinity)])]), "table": .table(["deep": .array([])]),
    ]

    private func definitions(_ arguments: FieldTable) -> Definitions {
        var definitions = Definitions()
        definitions.vhosts = [.init(name: "/")]
        definitions.queues = [.init(vhost: "/", name: "odd", durable: true, autoDelete: false, arguments: JSONFieldTable(arguments))]
        return definitions
    }

    /// Compares tables by their AMQP bytes (NaN is not equal to itself).
    private func amqpBytes(_ table: FieldTable) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeFieldTable(table)
        return Array(buffer.readableBytesView)
    }

    @Test func everyFieldTypeRoundTrips() throws {
        let data = try StorePersistence.encode(definitions(Self.everyType))
        let read = try StorePersistence.decode(data, path: "definitions.json")
        #expect(read.warrenFormat == 2)
        #expect(read.queues.count == 1)
        #expect(amqpBytes(read.queues[0].arguments.table) == amqpBytes(Self.everyType))
    }

    /// The typed form, as the file shows it: `[key, AMQP type letter, value]`.
    @Test func typedArgumentsAsWritten() throws {
        let data = try StorePersistence.encode(definitions(["x-message-ttl": .int32(60000), "x-foo": .double(.nan),
                                                            "x-bytes": .byteArray([1, 0xAB]), "x-dec": .decimal(scale: 2, value: 314)]))
        let file = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let queue = (file?["queues"] as? [[String: Any]])?.first
        let arguments = try #require(queue?["arguments"] as? [[Any]])
        #expect(arguments.map { "\($0)" } == [
            #"["x-message-ttl", "I", 60000]"#, #"["x-foo", "d", "7ff8000000000000"]"#,
            #"["x-bytes", "x", "01ab"]"#, #"["x-dec", "D", [2, 314]]"#,
        ])
    }

    @Test func aFormat1FileStillLoads() throws {
        let file = #"{"vhosts":[{"name":"/"}],"exchanges":[],"bindings":[],"queues":[{"vhost":"/","name":"q","durable":true,"auto_delete":false,"arguments":{"x-message-ttl":60000,"x-queue-mode":"lazy"}}]}"#
        let read = try StorePersistence.decode(Data(file.utf8), path: "definitions.json")
        #expect(read.warrenFormat == nil)
        #expect(read.queues.first?.arguments.table == ["x-message-ttl": .int64(60000), "x-queue-mode": .longString("lazy")])
    }

    @Test func aNewerFormatIsRefused() throws {
        let file = #"{"warren_format":3,"vhosts":[],"exchanges":[],"bindings":[],"queues":[]}"#
        #expect(throws: StoreError.self) { try StorePersistence.decode(Data(file.utf8), path: "definitions.json") }
    }

    @Test func aDamagedEncodedTableIsAnError() throws {
        let file = #"{"warren_format":2,"vhosts":[],"exchanges":[],"bindings":[],"queues":[{"vhost":"/","name":"q","durable":true,"auto_delete":false,"arguments":[["x-foo","d","not hex"]]}]}"#
        #expect(throws: StoreError.self) { try StorePersistence.decode(Data(file.utf8), path: "definitions.json") }
    }

    /// RabbitMQ's JSON has no NaN: the export names the field instead of dropping it.
    @Test func rabbitMQJSONRefusesNaNNamingTheField() throws {
        do {
            _ = try JSONEncoder().encode(definitions(["x-foo": .double(.nan)]))
            Issue.record("NaN was encoded as JSON")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.debugDescription == "queues[0].arguments.x-foo is nan, which JSON cannot hold")
        }
    }
}
