import AMQPWire
import NIOCore
import Testing

@testable import AMQPServer

/// Connection errors with RabbitMQ 3.10's codes, texts and failing-method ids (checked against a 3.10.8 node).
extension ConnectionStateMachineTests {
    @Test mutating func aMethodOnAnUnopenedChannelSaysWhatRabbitMQSays() {
        openConnection()
        let close = Self.connectionClose(feed(.basicQos(BasicQos(prefetchCount: 1)), channel: 7))
        #expect(close?.replyText == "CHANNEL_ERROR - expected 'channel.open'")
        #expect(close?.classID == 60 && close?.methodID == 10)
    }

    @Test mutating func aHeartbeatOnAChannelIs505() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        #expect(Self.closeCode(feed(.heartbeat, channel: 1)) == 505)
    }

    @Test mutating func contentCutByAMethodNamesBasicPublish() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        _ = feed(.basicPublish(BasicPublish(routingKey: "k")), channel: 1)
        let close = Self.connectionClose(feed(.channelClose(ChannelClose(replyCode: 200, replyText: "bye")), channel: 1))
        #expect(close?.replyText == "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead")
        #expect(close?.classID == 60 && close?.methodID == 40)
    }

    @Test mutating func aContentHeaderOfAnotherClassSaysWhatRabbitMQSays() {
        openConnection()
        _ = feed(.channelOpen, channel: 1)
        _ = feed(.basicPublish(BasicPublish(routingKey: "k")), channel: 1)
        let close = Self.connectionClose(feed(.header(ContentHeader(classID: 50, bodySize: 3, properties: BasicProperties())), channel: 1))
        #expect(close?.replyText == "UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead")
        #expect(close?.classID == 60 && close?.methodID == 40)
    }
}
