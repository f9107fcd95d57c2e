import AMQPWire
import Testing

@testable import Broker

/// Publish errors close the channel; a closed channel ignores everything until it is reopened.
@Suite struct ChannelErrorTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
        client.declareQueue("q")
    }

    @Test func publishToAMissingExchangeIs404() {
        let out = client.publish("m", exchange: "nope", key: "k")
        #expect(out.count == 1)
        #expect(out.channelErrors.first?.channel == 1)
        #expect(out.channelError?.code == .notFound)
        #expect(out.channelError?.text == "NOT_FOUND - no exchange 'nope' in vhost '/'")
        #expect(out.channelError?.classID == 60)
        #expect(out.channelError?.methodID == 40)
    }

    @Test func publishToAnInternalExchangeIs403() {
        client.declareExchange("hidden", type: "fanout", internal: true)
        client.bindQueue("q", to: "hidden")
        let out = client.publish("m", exchange: "hidden", key: "")
        #expect(out.channelError?.code == .accessRefused)
        #expect(out.channelError?.text == "ACCESS_REFUSED - cannot publish to internal exchange 'hidden' in vhost '/'")
        #expect(broker.readyBodies("q") == [])
    }

    @Test func commandsAfterAChannelErrorAreIgnoredUntilClose() {
        client.consume("q", tag: "c")
        let out = client.run([
            Cmd.publish("bad", exchange: "nope", key: "k"),
            .method(1, .queueDeclare(QueueDeclare(queue: "after"))),
            Cmd.publish("ignored", key: "q"),
            .method(1, .basicQos(BasicQos(prefetchSize: 5))),  // would be a connection error if handled
        ])
        #expect(out.count == 1)
        #expect(out.channelError?.code == .notFound)
        #expect(!broker.hasQueue("after"))
        #expect(broker.readyBodies("q") == [])
        // The channel's consumer went with it.
        #expect(broker.vhost("/")?.queues["q"]?.consumerCount == 0)
    }

    @Test func otherChannelsCarryOn() {
        client.open(2)
        let out = client.run([
            Cmd.publish("bad", exchange: "nope", key: "k", on: 1),
            Cmd.publish("good", key: "q", on: 2),
        ])
        #expect(out.channelErrors.map(\.channel) == [1])
        #expect(broker.readyBodies("q") == ["good"])
    }

    @Test func theChannelNumberWorksAgainAfterCloseAndReopen() {
        client.publish("bad", exchange: "nope", key: "k")
        let reopened = client.run([.channelClosed(1), .channelOpened(1), .method(1, .queueDeclare(QueueDeclare(queue: "again")))])
        #expect(reopened.declareOk?.queue == "again")
        client.publish("m", key: "q")
        #expect(broker.readyBodies("q") == ["m"])
    }

    @Test func aReopenedChannelStartsFresh() {
        client.call(.confirmSelect(ConfirmSelect()))
        client.publish("1", key: "q")
        client.publish("bad", exchange: "nope", key: "k")
        client.run([.channelClosed(1), .channelOpened(1)])
        // No confirm mode, no last-declared queue, delivery tags from 1.
        #expect(client.publish("2", key: "q").isEmpty)
        #expect(client.get("").channelError?.code == .notFound)
        client.open(1)
        #expect(client.get("q").gets.first?.message.deliveryTag == 1)
    }

    @Test func softErrorInAMethodClosesOnlyTheChannel() {
        let out = client.call(.queueDeclare(QueueDeclare(queue: "x", passive: true)))
        #expect(out.connectionError == nil)
        #expect(out.channelError != nil)
    }

    @Test func unknownConnectionIsIgnored() {
        broker.handle([.channelOpened(1), .method(1, .queueDeclare(QueueDeclare(queue: "ghost")))], from: ConnectionID(99))
        #expect(!broker.hasQueue("ghost"))
    }
}
