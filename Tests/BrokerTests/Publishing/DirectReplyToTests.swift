import AMQPWire
import Testing

@testable import Broker

/// RabbitMQ direct reply-to: `amq.rabbitmq.reply-to` as a no-ack pseudo-queue.
@Suite struct DirectReplyToTests {
    let broker = Broker()
    let requester: TestClient
    let server: TestClient

    static let pseudoQueue = "amq.rabbitmq.reply-to"

    init() {
        requester = TestClient(broker, id: 1)
        server = TestClient(broker, id: 2)
        requester.open()
        server.open()
        server.declareQueue("rpc")
        server.consume("rpc", tag: "worker", noAck: true)
    }

    /// Sends a request asking for a direct reply; returns the reply_to the server saw.
    func sendRequest(_ body: String = "request", on channel: UInt16 = 1) -> String? {
        requester.publish(body, key: "rpc", properties: BasicProperties(correlationID: "c1", replyTo: Self.pseudoQueue), on: channel)
        let request = server.take().deliveries.first
        #expect(request?.properties.correlationID == "c1")
        return request?.properties.replyTo
    }

    @Test func replyToIsRewrittenAndTheReplyReachesTheReplyConsumer() throws {
        let consume = requester.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "replies", noAck: true)))
        expectMethods(consume, [.basicConsumeOk(BasicConsumeOk(consumerTag: "replies"))])
        let replyTo = try #require(sendRequest())
        #expect(replyTo.hasPrefix(Self.pseudoQueue + "."))
        #expect(replyTo != Self.pseudoQueue + ".")

        let serverOut = server.publish("reply", key: replyTo, properties: BasicProperties(correlationID: "c1"), mandatory: true)
        #expect(serverOut.returns.isEmpty)
        let replies = requester.take().deliveries
        #expect(replies.map(\.body) == ["reply"])
        #expect(replies.first?.consumerTag == "replies")
        #expect(replies.first?.routingKey == replyTo)
        #expect(replies.first?.properties.correlationID == "c1")
    }

    @Test func aReplyToARequesterThatStoppedReadingIsReturnedNotBuffered() throws {
        requester.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "replies", noAck: true)))
        let replyTo = try #require(sendRequest())
        requester.run([.writabilityChanged(false)])
        let serverOut = server.publish("reply", key: replyTo, mandatory: true)
        #expect(serverOut.returns.count == 1)
        #expect(requester.take().deliveries.isEmpty)
    }

    @Test func repliesAreNeverAwaitingAck() throws {
        requester.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "replies", noAck: true)))
        let replyTo = try #require(sendRequest())
        server.publish("reply", key: replyTo)
        let tag = requester.take().deliveries.first?.deliveryTag ?? 0
        #expect(requester.ack(tag).channelError?.code == .preconditionFailed)
    }

    @Test func consumingTheReplyQueueWithAcksIs406() {
        let out = requester.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "replies", noAck: false)))
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - reply consumer cannot acknowledge")
    }

    @Test func requestingAReplyWithoutAReplyConsumerIs406() {
        let out = requester.publish("request", key: "rpc", properties: BasicProperties(replyTo: Self.pseudoQueue))
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - fast reply consumer does not exist")
        #expect(server.take().deliveries.isEmpty)
    }

    @Test func otherReplyToValuesAreLeftAlone() {
        requester.publish("request", key: "rpc", properties: BasicProperties(replyTo: "my-own-queue"))
        #expect(server.take().deliveries.first?.properties.replyTo == "my-own-queue")
    }

    @Test func replyAfterTheReplyConsumerIsCancelledIsUnroutable() throws {
        requester.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "replies", noAck: true)))
        let replyTo = try #require(sendRequest())
        expectMethods(requester.call(.basicCancel(BasicCancel(consumerTag: "replies"))),
                      [.basicCancelOk(BasicCancelOk(consumerTag: "replies"))])
        let out = server.publish("late", key: replyTo, mandatory: true)
        #expect(out.returns.map(\.body) == ["late"])
        #expect(requester.take().deliveries.isEmpty)
    }

    @Test func replyAfterTheChannelClosesIsUnroutable() throws {
        requester.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "replies", noAck: true)))
        let replyTo = try #require(sendRequest())
        requester.close()
        let out = server.publish("late", key: replyTo, mandatory: true)
        #expect(out.returns.map(\.body) == ["late"])
    }

    @Test func replyNamesOfTwoChannelsDiffer() throws {
        requester.open(2)
        requester.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "r1", noAck: true)), on: 1)
        requester.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "r2", noAck: true)), on: 2)
        let first = try #require(sendRequest(on: 1))
        let second = try #require(sendRequest(on: 2))
        #expect(first != second)
        server.publish("to-2", key: second)
        let replies = requester.take().deliveries
        #expect(replies.map(\.channel) == [2])
        #expect(replies.map(\.consumerTag) == ["r2"])
    }

    @Test func theReplyConsumerTagCannotBeReused() {
        requester.call(.basicConsume(BasicConsume(queue: Self.pseudoQueue, consumerTag: "replies", noAck: true)))
        requester.declareQueue("q")
        let out = requester.call(.basicConsume(BasicConsume(queue: "q", consumerTag: "replies")))
        #expect(out.connectionError?.code == .notAllowed)
    }

    @Test func aMadeUpReplyNameIsUnroutable() {
        let out = server.publish("reply", key: Self.pseudoQueue + ".g9.9.9", mandatory: true)
        #expect(out.returns.count == 1)
    }
}
