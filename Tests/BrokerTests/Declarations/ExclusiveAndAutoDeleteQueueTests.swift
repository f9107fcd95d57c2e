import AMQPWire
import Testing

@testable import Broker

/// Exclusive queues belong to their connection; auto-delete queues go with their last consumer.
@Suite struct ExclusiveAndAutoDeleteQueueTests {
    let broker = Broker()
    let owner: TestClient
    let other: TestClient

    static let lockedText = "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'ex' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration."

    init() {
        owner = TestClient(broker, id: 1)
        other = TestClient(broker, id: 2)
        owner.open()
        other.open()
    }

    @Test(arguments: [
        AMQPMethod.queueDeclare(QueueDeclare(queue: "ex", exclusive: true)),
        .queueDeclare(QueueDeclare(queue: "ex", passive: true)),
        .basicConsume(BasicConsume(queue: "ex")),
        .basicGet(BasicGet(queue: "ex")),
        .queuePurge(QueuePurge(queue: "ex")),
        .queueDelete(QueueDelete(queue: "ex")),
        .queueBind(QueueBind(queue: "ex", exchange: "amq.direct", routingKey: "k")),
    ])
    func anotherConnectionIsLockedOut(_ method: AMQPMethod) {
        owner.declareQueue("ex", exclusive: true)
        let out = other.call(method)
        #expect(out.channelError?.code == .resourceLocked)
        #expect(out.channelError?.text == Self.lockedText)
        #expect(broker.hasQueue("ex"))
    }

    @Test func theOwnerMayRedeclareAndUseIt() {
        owner.declareQueue("ex", exclusive: true)
        let out = owner.call(.queueDeclare(QueueDeclare(queue: "ex", exclusive: true)))
        #expect(out.declareOk?.queue == "ex")
        owner.consume("ex", tag: "c")
    }

    @Test func anotherConnectionMayPublishToIt() {
        owner.declareQueue("ex", exclusive: true)
        let out = other.publish("m", key: "ex")
        #expect(out.isEmpty)
        #expect(broker.readyBodies("ex") == ["m"])
    }

    @Test func exclusiveQueueIsDeletedOnDisconnectWithItsBindings() {
        owner.declareQueue("ex", exclusive: true)
        owner.declareQueue("keep")
        owner.bindQueue("ex", to: "amq.fanout")
        owner.disconnect()
        #expect(!broker.hasQueue("ex"))
        #expect(broker.hasQueue("keep"))
        #expect(broker.vhost("/")?.exchanges["amq.fanout"]?.bindings.isEmpty == true)
        // The name is free for anyone now.
        #expect(other.declareQueue("ex", exclusive: true) == "ex")
    }

    @Test func closingTheChannelDoesNotDeleteTheExclusiveQueue() {
        owner.declareQueue("ex", exclusive: true)
        owner.close()
        #expect(broker.hasQueue("ex"))
    }

    @Test func autoDeleteQueueGoesWhenItsLastConsumerCancels() {
        owner.declareQueue("ad", autoDelete: true)
        owner.consume("ad", tag: "c1")
        owner.consume("ad", tag: "c2")
        let first = owner.call(.basicCancel(BasicCancel(consumerTag: "c1")))
        expectMethods(first, [.basicCancelOk(BasicCancelOk(consumerTag: "c1"))])
        #expect(broker.hasQueue("ad"))
        owner.call(.basicCancel(BasicCancel(consumerTag: "c2")))
        #expect(!broker.hasQueue("ad"))
    }

    @Test func autoDeleteQueueWithoutConsumersEverStays() {
        owner.declareQueue("ad", autoDelete: true)
        owner.publish("m", key: "ad")
        owner.close()
        owner.disconnect()
        #expect(broker.hasQueue("ad"))
    }

    @Test func autoDeleteQueueGoesWhenTheConsumersChannelCloses() {
        owner.declareQueue("ad", autoDelete: true)
        owner.consume("ad", tag: "c")
        owner.close()
        #expect(!broker.hasQueue("ad"))
    }

    @Test func autoDeleteQueueStaysWhileAnotherConnectionConsumes() {
        owner.declareQueue("ad", autoDelete: true)
        owner.consume("ad", tag: "c")
        other.consume("ad", tag: "c")
        owner.disconnect()
        #expect(broker.hasQueue("ad"))
        other.disconnect()
        #expect(!broker.hasQueue("ad"))
    }
}
