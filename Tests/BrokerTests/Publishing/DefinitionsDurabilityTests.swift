import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// Replies to durable declarations wait for the definitions to be on disk; a save that fails is
/// answered with 541 and the broker goes back to the definitions on disk.
@Suite struct DefinitionsDurabilityTests {
    let broker = Broker()
    let persistence = FakePersistence()
    let client: TestClient

    init() {
        broker.persistence = persistence
        client = TestClient(broker)
        client.open()
        client.declareQueue("kept", durable: true)
        client.declareExchange("dx", type: "topic", durable: true)
        persistence.definitionsWrittenAtOnce = false
    }

    @discardableResult
    private func declareDurable(_ name: String) -> [Outbound] {
        client.call(.queueDeclare(QueueDeclare(queue: name, durable: true)))
    }

    @Test func declareOkWaitsForTheDefinitionsOnDisk() {
        #expect(declareDurable("new").declareOk == nil)
        persistence.fsyncCompleted()
        #expect(client.take().declareOk?.queue == "new")
        #expect(persistence.savedDefinitions.queues.map(\.name) == ["kept", "new"])
    }

    @Test func repliesToLaterMethodsOnTheChannelWaitBehindADurableDeclareOk() {
        #expect(declareDurable("new").methods.isEmpty)
        #expect(client.call(.basicQos(BasicQos(prefetchCount: 5))).methods.isEmpty)
        persistence.fsyncCompleted()
        let out = client.take()
        #expect(out.declareOk?.queue == "new")
        #expect(out.methods.last == .basicQosOk)
        #expect(client.call(.basicQos(BasicQos(prefetchCount: 6))).methods == [.basicQosOk])
    }

    @Test func aClientThatLeftBeforeTheDiskAnsweredIsForgottenSafely() {
        client.call(.confirmSelect(ConfirmSelect()))
        client.publish("m", key: "kept", properties: BasicProperties(deliveryMode: 2))
        declareDurable("new")
        client.disconnect()
        persistence.fsyncCompleted()
        #expect(client.take().isEmpty)
        #expect(broker.hasQueue("new"))
        #expect(broker.readyBodies("kept") == ["m"])
    }

    @Test func transientDeclarationsAndRedeclarationsAreAnsweredAtOnce() {
        #expect(client.call(.queueDeclare(QueueDeclare(queue: "t"))).declareOk?.queue == "t")
        #expect(declareDurable("kept").declareOk?.queue == "kept")
        expectMethods(client.call(.queueBind(QueueBind(queue: "t", exchange: "dx", routingKey: "a"))), [.queueBindOk])
    }

    @Test func aFailedSaveClosesTheConnectionWith541AndUndoesTheDeclare() {
        declareDurable("new")
        persistence.fsyncCompleted(.failed("write definitions.json.tmp: No space left on device"))
        let out = client.take()
        #expect(out.declareOk == nil)
        #expect(out.connectionError?.code == .internalError)
        #expect(out.connectionError?.text == "INTERNAL_ERROR - cannot save definitions: write definitions.json.tmp: No space left on device")
        #expect(!broker.hasQueue("new"))
        #expect(broker.hasQueue("kept"))
    }

    @Test func aFailedSaveOfADeleteBringsTheQueueBackEmpty() {
        client.publish("m", key: "kept")
        client.call(.queueDelete(QueueDelete(queue: "kept")))
        persistence.fsyncCompleted(.failed("EIO"))
        #expect(client.take().connectionError?.code == .internalError)
        #expect(broker.readyBodies("kept") == [])
    }

    @Test func aFailedSaveOfABindOrUnbindIsUndone() {
        client.call(.queueBind(QueueBind(queue: "kept", exchange: "dx", routingKey: "a.#")))
        persistence.fsyncCompleted(.failed("EIO"))
        #expect(client.take().connectionError?.code == .internalError)
        #expect(broker.vhost("/")?.exchanges["dx"]?.bindings.isEmpty == true)
    }

    @Test func aNoWaitDeclareThatCannotBeSavedStillFails() {
        client.call(.queueDeclare(QueueDeclare(queue: "quiet", durable: true, noWait: true)))
        persistence.fsyncCompleted(.failed("EIO"))
        #expect(client.take().connectionError?.code == .internalError)
        #expect(!broker.hasQueue("quiet"))
    }

    @Test func confirmsOfRecordsThatCannotBeWrittenAreNacks() {
        client.call(.confirmSelect(ConfirmSelect()))
        client.publish("m", key: "kept", properties: BasicProperties(deliveryMode: 2))
        persistence.fsyncCompleted(.failed("EIO"))
        #expect(client.take().methods == [.basicNack(BasicNack(deliveryTag: 1, multiple: false, requeue: false))])
    }

    @Test func aManagementChangeIsAnsweredOnceSavedAndRolledBackWhenNot() throws {
        var outcomes: [String] = []
        try broker.manageDeclareQueue(vhost: "/", queue: "transient", durable: false, autoDelete: false, arguments: [:])
        broker.whenDefinitionsSaved { outcomes.append("\($0)") }
        #expect(outcomes == ["written"])
        try broker.manageDeclareQueue(vhost: "/", queue: "managed", durable: true, autoDelete: false, arguments: [:])
        broker.whenDefinitionsSaved { outcomes.append("\($0)") }
        #expect(outcomes == ["written"])
        persistence.fsyncCompleted(.failed("EIO"))
        #expect(outcomes == ["written", "failed(\"EIO\")"])
        #expect(!broker.hasQueue("managed"))
        #expect(broker.hasQueue("transient"))
    }
}
