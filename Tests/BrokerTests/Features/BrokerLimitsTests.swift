import AMQPWire
import Testing

@testable import Broker

/// consumer_max_per_channel, a vhost's max-queues and the transaction size, with RabbitMQ's errors.
@Suite struct BrokerLimitsTests {
    let broker = Broker()
    let client: TestClient

    init() {
        broker.limits = BrokerLimits(consumersPerChannel: 2, vhostMaxQueues: ["/": 2], transactionSteps: 3,
                                     transactionBodyBytes: 10)
        client = TestClient(broker)
        client.open()
    }

    @Test func oneConsumerPastTheChannelsLimitClosesTheConnectionWith530() {
        client.declareQueue("q")
        client.consume("q", tag: "a")
        client.consume("q", tag: "b")
        let out = client.call(.basicConsume(BasicConsume(queue: "q", consumerTag: "c")))
        #expect(out.connectionError?.code == .notAllowed)
        #expect(out.connectionError?.text == "NOT_ALLOWED - reached maximum (2) of consumers per channel")
        #expect(broker.vhost("/")?.queues["q"]?.consumerCount == 2)
    }

    @Test func theConsumerLimitIsPerChannel() {
        client.declareQueue("q")
        client.consume("q", tag: "a")
        client.consume("q", tag: "b")
        client.open(2)
        client.consume("q", tag: "c", on: 2)
        #expect(broker.vhost("/")?.queues["q"]?.consumerCount == 3)
    }

    @Test func oneQueuePastTheVhostsLimitIs406AndRedeclaringStillWorks() {
        client.declareQueue("a")
        client.declareQueue("b")
        let out = client.call(.queueDeclare(QueueDeclare(queue: "c")))
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - cannot declare queue 'c': queue limit in vhost '/' (2) is reached")
        #expect(!broker.hasQueue("c"))
        client.open(2)
        #expect(client.call(.queueDeclare(QueueDeclare(queue: "a")), on: 2).declareOk != nil)
    }

    @Test func aTransactionPastItsSizeClosesTheChannelAndNothingIsRouted() {
        client.declareQueue("q")
        client.call(.txSelect)
        for body in ["1", "2", "3"] { #expect(client.publish(body, key: "q").isEmpty) }
        let out = client.publish("4", key: "q")
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text
            == "PRECONDITION_FAILED - transaction holds the maximum of 3 publishes and acknowledgements; commit or roll back")
        #expect(broker.readyBodies("q") == [])
    }

    @Test func aTransactionPastItsBodyBytesClosesTheChannelAndNothingIsRouted() {
        client.declareQueue("q")
        client.call(.txSelect)
        #expect(client.publish("123456", key: "q").isEmpty)
        let out = client.publish("12345", key: "q")
        #expect(out.channelError?.text == "PRECONDITION_FAILED - transaction holds the maximum of 10 body bytes; commit or roll back")
        #expect(broker.readyBodies("q") == [])
    }
}
