import AMQPWire
import Testing

@testable import Broker

/// queue.declare: names, passive checks, reserved prefix, equivalence and the counts in declare-ok.
@Suite struct QueueDeclareTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
    }

    @Test func serverNamedQueueIsAmqGenWith22Characters() {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var names: Set<String> = []
        for _ in 0..<20 {
            let name = client.declareQueue("")
            #expect(name.hasPrefix("amq.gen-"))
            let suffix = name.dropFirst("amq.gen-".count)
            #expect(suffix.count == 22)
            #expect(suffix.filter { !allowed.contains($0) }.isEmpty, "\(name)")
            #expect(broker.hasQueue(name))
            names.insert(name)
        }
        #expect(names.count == 20)
    }

    @Test func passiveDeclareOfMissingQueueIs404() {
        let out = client.call(.queueDeclare(QueueDeclare(queue: "x", passive: true)))
        #expect(out.count == 1)
        #expect(out.channelErrors.first?.channel == 1)
        #expect(out.channelError?.code == .notFound)
        #expect(out.channelError?.text == "NOT_FOUND - no queue 'x' in vhost '/'")
        #expect(out.channelError?.classID == 50)
        #expect(out.channelError?.methodID == 10)
        #expect(!broker.hasQueue("x"))
    }

    @Test func passiveDeclareInAnotherVhostNamesThatVhost() {
        broker.addVhost("dev")
        let other = TestClient(broker, id: 2, vhost: "dev")
        other.open()
        let out = other.call(.queueDeclare(QueueDeclare(queue: "x", passive: true)))
        #expect(out.channelError?.text == "NOT_FOUND - no queue 'x' in vhost 'dev'")
    }

    @Test func passiveDeclareOfExistingQueueReportsCounts() {
        client.declareQueue("idle", durable: true)
        client.publish("a", key: "idle")
        client.publish("b", key: "idle")
        client.declareQueue("busy")
        client.qos(1)
        client.consume("busy", tag: "c")
        for body in ["1", "2", "3"] { client.publish(body, key: "busy") }  // 1 unacked, 2 ready
        client.open(2)
        // Passive: durable etc. are not compared.
        let idle = client.call(.queueDeclare(QueueDeclare(queue: "idle", passive: true, durable: false)), on: 2)
        #expect(idle.declareOk == QueueDeclareOk(queue: "idle", messageCount: 2, consumerCount: 0))
        let busy = client.call(.queueDeclare(QueueDeclare(queue: "busy", passive: true)), on: 2)
        #expect(busy.declareOk == QueueDeclareOk(queue: "busy", messageCount: 2, consumerCount: 1))
        #expect(broker.vhost("/")?.queues["idle"]?.durable == true)
    }

    @Test func redeclareReportsReadyMessagesButNotUnacked() {
        client.declareQueue("q")
        for body in ["1", "2", "3"] { client.publish(body, key: "q") }
        _ = client.get("q")  // one unacked
        let out = client.call(.queueDeclare(QueueDeclare(queue: "q")))
        #expect(out.declareOk == QueueDeclareOk(queue: "q", messageCount: 2, consumerCount: 0))
    }

    @Test(arguments: ["amq.q", "amq.gen-abc", "amq."])
    func reservedPrefixIs403(_ name: String) {
        let out = client.call(.queueDeclare(QueueDeclare(queue: name)))
        #expect(out.channelError?.code == .accessRefused)
        #expect(out.channelError?.text == "ACCESS_REFUSED - queue name '\(name)' contains reserved prefix 'amq.*'")
        #expect(!broker.hasQueue(name))
    }

    @Test func amqPrefixIsOnlyReservedAtTheStart() {
        #expect(client.declareQueue("my.amq.q") == "my.amq.q")
        #expect(client.declareQueue("amq") == "amq")
    }

    @Test func passiveDeclareOfAmqNameIsA404NotA403() {
        let out = client.call(.queueDeclare(QueueDeclare(queue: "amq.nothing", passive: true)))
        #expect(out.channelError?.code == .notFound)
    }

    @Test func durableMismatchIs406WithRabbitText() {
        client.declareQueue("q", durable: false)
        let out = client.call(.queueDeclare(QueueDeclare(queue: "q", durable: true)))
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text
            == "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q' in vhost '/': received 'true' but current is 'false'")
    }

    @Test func autoDeleteMismatchIs406() {
        client.declareQueue("q", autoDelete: true)
        let out = client.call(.queueDeclare(QueueDeclare(queue: "q", autoDelete: false)))
        #expect(out.channelError?.text
            == "PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue 'q' in vhost '/': received 'false' but current is 'true'")
    }

    /// rabbit_misc:assert_args_equivalence1 / val/1: a value that differs within the same type class is
    /// quoted bare; a missing value is `none`; a value of another type class is quoted with its type.
    @Test func argumentMismatchIs406InRabbitsThreeFormats() {
        client.declareQueue("q", arguments: ["x-max-length": .int32(10)])
        let what = "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'q' in vhost '/'"
        let cases: [(FieldTable, String)] = [
            (["x-max-length": .int32(20)], "\(what): received '20' but current is '10'"),
            ([:], "\(what): received none but current is the value '10' of type 'signedint'"),
            (["x-max-length": "10"], "\(what): received the value '10' of type 'longstr' but current is the value '10' of type 'signedint'"),
        ]
        for (number, (arguments, text)) in zip(UInt16(2)..., cases) {
            client.open(number)
            let out = client.call(.queueDeclare(QueueDeclare(queue: "q", arguments: arguments)), on: number)
            #expect(out.channelError?.code == .preconditionFailed)
            #expect(out.channelError?.text == text)
        }
    }

    @Test func onlyArgumentsRabbitKnowsAreCompared() {
        // rabbit_amqqueue:assert_args_equivalence checks the keys of declare_args() only.
        client.declareQueue("q", arguments: ["my-tag": "a", "x-message-ttl": .int32(1000)])
        let other = client.call(.queueDeclare(QueueDeclare(queue: "q", arguments: ["my-tag": "b", "x-message-ttl": .int32(1000)])))
        #expect(other.declareOk?.queue == "q")
        let ttl = client.call(.queueDeclare(QueueDeclare(queue: "q", arguments: ["my-tag": "a", "x-message-ttl": .int32(2000)])))
        #expect(ttl.channelError?.code == .preconditionFailed)
    }

    @Test func integerArgumentsAreEquivalentAcrossTags() {
        client.declareQueue("q", arguments: ["x-max-length": .int32(10)])
        let out = client.call(.queueDeclare(QueueDeclare(queue: "q", arguments: ["x-max-length": .int64(10)])))
        #expect(out.declareOk?.queue == "q")
    }

    @Test func failedRedeclareLeavesTheQueueAsItWas() {
        client.declareQueue("q")
        client.publish("m", key: "q")
        _ = client.call(.queueDeclare(QueueDeclare(queue: "q", durable: true)))
        #expect(broker.vhost("/")?.queues["q"]?.durable == false)
        #expect(broker.readyBodies("q") == ["m"])
    }
}
