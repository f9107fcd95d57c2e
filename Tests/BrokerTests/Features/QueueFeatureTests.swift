import AMQPWire
import Foundation
import NIOCore
import Testing

@testable import Broker

/// A clock the test moves by hand, and a record of the deadlines the broker asked to be woken at.
final class ManualTime: BrokerTimers, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int64 = 1_000_000
    private(set) var requested: [Int64] = []

    var now: Int64 {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set { lock.lock(); current = newValue; lock.unlock() }
    }

    func wake(at deadline: Int64) { requested.append(deadline) }
}

/// TTL, expiry, length limits, dead-lettering, priorities and consumer selection, driven through
/// the broker's command interface with a hand-moved clock.
@Suite struct QueueFeatureTests {
    let broker = Broker()
    let time = ManualTime()
    let client: TestClient

    init() {
        let time = self.time
        broker.clock = { time.now }
        broker.timers = time
        client = TestClient(broker)
        client.open()
    }

    private func sinkForDeadLetters() {
        client.declareExchange("dlx", type: "fanout")
        client.declareQueue("dead")
        client.bindQueue("dead", to: "dlx")
    }

    @Test func plainQueuesCarryNoFeatures() {
        client.declareQueue("plain", arguments: ["x-queue-mode": .longString("lazy"), "x-custom": .int32(1)])
        #expect(broker.vhost("/")?.queues["plain"]?.features == nil)
        #expect(broker.timedQueues.isEmpty)
    }

    @Test func queueTTLExpiresWithoutAConsumerWhenTheTimerFires() {
        client.declareQueue("q", arguments: ["x-message-ttl": .int32(100)])
        client.run([Cmd.publish("m", key: "q")])
        #expect(time.requested.last == time.now + 100)
        time.now += 99
        broker.runTimers()
        #expect(broker.readyBodies("q") == ["m"])
        time.now += 1
        broker.runTimers()
        #expect(broker.readyBodies("q") == [])
    }

    @Test func theShorterOfMessageAndQueueTTLApplies() {
        client.declareQueue("q", arguments: ["x-message-ttl": .int32(1000)])
        client.run([Cmd.publish("m", key: "q", properties: BasicProperties(expiration: "10"))])
        time.now += 10
        broker.runTimers()
        #expect(broker.readyBodies("q") == [])
    }

    @Test func ttlZeroReachesAWaitingConsumerOnly() {
        client.declareQueue("q", arguments: ["x-message-ttl": .int32(0)])
        client.run([Cmd.publish("unseen", key: "q")])
        #expect(broker.readyBodies("q") == [])
        client.consume("q", noAck: true)
        #expect(client.run([Cmd.publish("seen", key: "q")]).bodies == ["seen"])
    }

    @Test func rejectionDeadLettersWithAnXDeathHistory() {
        sinkForDeadLetters()
        client.declareQueue("work", arguments: ["x-dead-letter-exchange": .longString("dlx")])
        client.run([Cmd.publish("m", key: "work", properties: BasicProperties(expiration: "5000"))])
        let tag = client.get("work").gets[0].message.deliveryTag
        client.call(.basicReject(BasicReject(deliveryTag: tag, requeue: false)))
        let dead = client.get("dead", noAck: true).gets[0].message
        #expect(dead.exchange == "dlx" && dead.routingKey == "work")
        #expect(dead.properties.expiration == nil)
        let headers = dead.properties.headers ?? [:]
        guard case .array(let deaths) = headers["x-death"], case .table(let death) = deaths.first else {
            Issue.record("no x-death in \(headers)")
            return
        }
        #expect(death["count"] == .int64(1))
        #expect(death["reason"] == .longString("rejected"))
        #expect(death["queue"] == .longString("work"))
        #expect(death["exchange"] == .longString(""))
        #expect(death["routing-keys"] == .array([.longString("work")]))
        #expect(death["original-expiration"] == .longString("5000"))
        #expect(death["time"] == .timestamp(UInt64(time.now / 1000)))
        #expect(headers["x-first-death-reason"] == .longString("rejected"))
    }

    @Test func dropHeadDeadLettersTheOldestAsMaxlen() {
        sinkForDeadLetters()
        client.declareQueue("capped", arguments: ["x-max-length": .int32(2), "x-dead-letter-exchange": .longString("dlx")])
        client.run(["1", "2", "3"].map { Cmd.publish($0, key: "capped") })
        #expect(broker.readyBodies("capped") == ["2", "3"])
        #expect(broker.readyBodies("dead") == ["1"])
    }

    @Test func aWaitingConsumerTakesABurstLargerThanTheLimit() {
        client.declareQueue("capped", arguments: ["x-max-length": .int32(2), "x-overflow": .longString("reject-publish")])
        client.consume("capped", noAck: true)
        let out = client.run((1...5).map { Cmd.publish("\($0)", key: "capped") })
        #expect(out.bodies == ["1", "2", "3", "4", "5"])
    }

    @Test func rejectPublishNacksAConfirmingPublisher() {
        client.declareQueue("full", arguments: ["x-max-length": .int32(1), "x-overflow": .longString("reject-publish")])
        client.call(.confirmSelect(ConfirmSelect(noWait: false)))
        let out = client.run(["1", "2"].map { Cmd.publish($0, key: "full") })
        #expect(out.methods.contains(.basicNack(BasicNack(deliveryTag: 2, multiple: false, requeue: false))))
        #expect(broker.readyBodies("full") == ["1"])
    }

    @Test func aDeadLetterCycleWithoutRejectionIsDropped() {
        client.declareQueue("loop", arguments: ["x-message-ttl": .int32(5), "x-dead-letter-exchange": .longString(""),
                                                "x-dead-letter-routing-key": .longString("loop")])
        client.run([Cmd.publish("m", key: "loop")])
        time.now += 5
        broker.runTimers()
        #expect(broker.readyBodies("loop") == [])
    }

    @Test func unusedQueueIsDeletedAfterXExpires() {
        client.declareQueue("lease", arguments: ["x-expires": .int32(50)])
        time.now += 49
        broker.runTimers()
        #expect(broker.vhost("/")?.queues["lease"] != nil)
        time.now += 1
        broker.runTimers()
        #expect(broker.vhost("/")?.queues["lease"] == nil)
    }

    @Test func priorityQueueOrdersByPriorityThenArrival() {
        client.declareQueue("p", arguments: ["x-max-priority": .int32(5)])
        let sent: [(String, UInt8?)] = [("low", 1), ("a", 5), ("capped", 9), ("b", 5), ("none", nil)]
        client.run(sent.map { Cmd.publish($0.0, key: "p", properties: BasicProperties(priority: $0.1)) })
        #expect(broker.readyBodies("p") == ["a", "capped", "b", "low", "none"])
    }

    @Test func singleActiveConsumerGetsEverything() {
        client.declareQueue("sac", arguments: ["x-single-active-consumer": .boolean(true)])
        let first = client.consume("sac", noAck: true).tag
        client.consume("sac", noAck: true)
        let out = client.run(["1", "2", "3"].map { Cmd.publish($0, key: "sac") })
        #expect(out.deliveries.map(\.consumerTag) == [first, first, first])
    }

    @Test func higherPriorityConsumersAreServedFirst() {
        client.declareQueue("cp")
        client.consume("cp", noAck: true)
        let consume = BasicConsume(queue: "cp", consumerTag: "vip", noAck: true, arguments: ["x-priority": .int32(5)])
        client.call(.basicConsume(consume))
        let out = client.run(["1", "2"].map { Cmd.publish($0, key: "cp") })
        #expect(out.deliveries.map(\.consumerTag) == ["vip", "vip"])
    }

    @Test func alternateExchangeTakesUnroutableMessagesAndSatisfiesMandatory() {
        client.declareExchange("ae", type: "fanout")
        client.declareQueue("unrouted")
        client.bindQueue("unrouted", to: "ae")
        client.declareExchange("main", type: "direct", arguments: ["alternate-exchange": .longString("ae")])
        let out = client.run([Cmd.publish("m", exchange: "main", key: "nowhere", mandatory: true)])
        #expect(out.returns.isEmpty)
        #expect(broker.readyBodies("unrouted") == ["m"])
    }

    @Test func invalidArgumentsAreRefusedWithRabbitsText() {
        let out = client.call(.queueDeclare(QueueDeclare(queue: "bad", arguments: ["x-expires": .int32(0)])))
        #expect(out.channelError?.text == "PRECONDITION_FAILED - invalid arg 'x-expires' for queue 'bad' in vhost '/': {value_zero,0}")
    }
}

/// Vhost policies applied to matching queues and exchanges, with RabbitMQ's precedence.
@Suite struct PolicyTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
    }

    func features(_ queue: String) -> QueueFeatures? { broker.vhost("/")?.queues[queue]?.features }

    @Test func aMatchingPolicyGivesAPlainQueueItsSettings() throws {
        try broker.setPolicy(Policy(name: "logs", pattern: "^logs\\.", applyTo: "queues",
                                    definition: ["max-length": .int64(5), "dead-letter-exchange": .longString("dlx")]))
        client.declareQueue("logs.kern")
        client.declareQueue("other")
        #expect(features("logs.kern")?.maxLength == 5)
        #expect(features("logs.kern")?.deadLetterExchange == "dlx")
        #expect(features("other") == nil)
    }

    @Test func theSmallerLimitWinsAndTheArgumentWinsOtherwise() throws {
        try broker.setPolicy(Policy(name: "p", pattern: ".*", definition: [
            "message-ttl": .int64(1000), "max-length": .int64(50), "dead-letter-exchange": .longString("from-policy"),
        ]))
        client.declareQueue("q", arguments: ["x-message-ttl": .int32(5000), "x-max-length": .int32(10),
                                             "x-dead-letter-exchange": .longString("from-argument")])
        #expect(features("q")?.messageTTL == 1000)
        #expect(features("q")?.maxLength == 10)
        #expect(features("q")?.deadLetterExchange == "from-argument")
    }

    @Test func theHighestPriorityPolicyAppliesAndClearingItRestoresTheArguments() throws {
        client.declareQueue("q")
        try broker.setPolicy(Policy(name: "low", pattern: "q", priority: 1, definition: ["max-length": .int64(1)]))
        try broker.setPolicy(Policy(name: "high", pattern: "q", priority: 9, definition: ["max-length": .int64(9)]))
        #expect(features("q")?.maxLength == 9)
        broker.clearPolicy(vhost: "/", policy: "high")
        #expect(features("q")?.maxLength == 1)
        broker.clearPolicy(vhost: "/", policy: "low")
        #expect(features("q") == nil)
    }

    @Test func aPolicyAlternateExchangeAppliesToExchangesDeclaredLater() throws {
        try broker.setPolicy(Policy(name: "ae", pattern: "^main$", applyTo: "exchanges",
                                    definition: ["alternate-exchange": .longString("ae")]))
        client.declareExchange("ae", type: "fanout")
        client.declareQueue("unrouted")
        client.bindQueue("unrouted", to: "ae")
        client.declareExchange("main", type: "direct")
        client.run([Cmd.publish("m", exchange: "main", key: "nowhere")])
        #expect(broker.readyBodies("unrouted") == ["m"])
    }

    @Test func invalidPoliciesAreRefused() {
        #expect(throws: AMQPError.self) { try broker.setPolicy(Policy(name: "p", pattern: "(", definition: [:])) }
        #expect(throws: AMQPError.self) { try broker.setPolicy(Policy(name: "p", pattern: ".*", applyTo: "nothing", definition: [:])) }
        #expect(throws: AMQPError.self) { try broker.setPolicy(Policy(name: "p", pattern: ".*", definition: ["message-ttl": .int64(-1)])) }
        #expect(throws: AMQPError.self) { try broker.setPolicy(Policy(name: "p", pattern: ".*", definition: ["max-priority": .int64(5)])) }
        #expect(broker.policies().isEmpty)
    }

    @Test func policiesAreExportedWithTheDurableDefinitionsAndRestored() throws {
        try broker.setPolicy(Policy(name: "p", pattern: "^d", definition: ["max-length": .int64(3)]))
        let definitions = broker.durableDefinitions()
        #expect(definitions.policies?.map(\.name) == ["p"])
        let restored = Broker()
        restored.restore(definitions)
        #expect(restored.policies() == broker.policies())
    }

    @Test func aStoredQueueWhoseArgumentsAreRefusedComesBackWithItsMessagesAndIsReported() throws {
        var definitions = Definitions()
        definitions.vhosts = [.init(name: "/")]
        definitions.queues = [.init(vhost: "/", name: "old", durable: true, autoDelete: false,
                                    arguments: JSONFieldTable(["x-message-ttl": .int64(-1)]))]
        let restored = Broker()
        let problems = restored.restore(definitions)
        #expect(problems.count == 1 && problems[0].hasPrefix("queue 'old' in vhost '/' restored without its queue features"))
        #expect(restored.restoreMessage(vhost: "/", queue: "old", storeID: 1, exchange: "", routingKey: "old",
                                        publishedAt: nil, properties: ByteBuffer(), body: ByteBuffer(string: "kept"),
                                        redelivered: false))
        #expect(restored.readyBodies("old") == ["kept"])
    }
}
