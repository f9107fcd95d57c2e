import AMQPWire
import Testing

@testable import Broker

/// The `x-death` count a publisher wrote is hostile input: it keeps counting as RabbitMQ does,
/// stays at Int64.max instead of trapping, and a count of the wrong type starts over.
@Suite struct DeathCountTests {
    @Test(arguments: [
        (FieldValue.int64(.max), Int64.max),
        (.int64(.max - 1), .max),
        (.uint64(.max), .max),
        (.uint64(UInt64(Int64.max)), .max),
        (.int64(-5), -4),
        (.int64(.min), .min + 1),
        (.int32(41), 42),
        (.uint8(0), 1),
        (.longString("9"), 1),
        (.double(.nan), 1),
        (.double(.infinity), 1),
        (.array([.int64(.max)]), 1),
        (.void, 1),
    ])
    func nextCountSaturates(_ previous: FieldValue, _ expected: Int64) {
        #expect(DeathHistory.nextCount(after: previous) == expected)
    }

    static func headers(count: FieldValue) -> FieldTable {
        ["x-death": .array([.table(["count": count, "reason": "expired", "queue": "ttl"])])]
    }

    static func firstDeath(_ headers: FieldTable) -> FieldTable? {
        guard case .array(let deaths) = headers["x-death"], case .table(let death) = deaths.first else { return nil }
        return death
    }

    @Test func expiringAMessageWhoseCountIsAtTheMaximumDeadLettersIt() {
        let broker = Broker()
        let client = TestClient(broker)
        client.open()
        client.declareExchange("dlx", type: "fanout")
        client.declareQueue("dead")
        client.bindQueue("dead", to: "dlx")
        client.declareQueue("ttl", arguments: ["x-message-ttl": .int32(0), "x-dead-letter-exchange": "dlx"])
        client.publish("m", key: "ttl", properties: BasicProperties(headers: Self.headers(count: .int64(.max))))
        let dead = client.get("dead", noAck: true).gets.first?.message
        #expect(dead?.body == "m")
        let death = dead.flatMap { Self.firstDeath($0.properties.headers ?? [:]) }
        #expect(death?["count"] == .int64(.max))
        #expect(death?["reason"] == "expired")
    }

    @Test func aHugeHistoryIsReadOnceAndKept() {
        var record: FieldTable = [:]
        let old = (0..<10_000).map { FieldValue.table(["count": .int64(.max), "reason": "expired", "queue": .longString("q\($0)")]) }
        record["x-death"] = .array(old)
        DeathHistory.record(reason: .expired, queue: "q9999", exchange: "", routingKeys: ["k"], originalExpiration: nil,
                            time: 0, in: &record)
        guard case .array(let deaths) = record["x-death"] else {
            Issue.record("no x-death")
            return
        }
        #expect(deaths.count == 10_000)
        #expect(Self.firstDeath(record)?["count"] == .int64(.max))
        #expect(DeathHistory.queuesClosingACycle(record).count == 10_000)
    }
}
