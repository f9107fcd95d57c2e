import AMQPWire
import Testing

@testable import Broker

/// A connection that cannot take more (socket not writable, or its outbound window spent) gets no
/// deliveries, auto-ack included: the messages stay ready in the queue until it reports progress.
@Suite struct FlowControlledDispatchTests {
    let broker: Broker
    let client: TestClient

    init() {
        broker = Broker()
        broker.outboundWindow = 100
        client = TestClient(broker)
        client.open()
        client.declareQueue("q")
    }

    var ready: Int { broker.vhost("/")?.queues["q"]?.messageCount ?? -1 }

    func publish(_ count: Int, from first: Int = 0) -> [Outbound] {
        client.run((first..<first + count).map { Cmd.publish(String(repeating: "\($0 % 10)", count: 40), key: "q") })
    }

    @Test(arguments: [true, false]) func anUnwritableConnectionGetsNothingUntilItDrains(noAck: Bool) {
        client.consume("q", tag: "c", noAck: noAck)
        client.run([.writabilityChanged(false)])
        #expect(publish(5).deliveries.isEmpty)
        #expect(ready == 5)
        // Writable again: deliveries resume in order, up to the window (40 bytes each, window 100).
        let resumed = client.run([.writabilityChanged(true)])
        #expect(resumed.bodies.map { String($0.prefix(1)) } == ["0", "1", "2"])
        #expect(ready == 2)
    }

    @Test(arguments: [true, false]) func oneDispatchPassHandsAtMostAWindow(noAck: Bool) {
        client.consume("q", tag: "c", noAck: noAck)
        var received = publish(10).bodies
        #expect(received.count == 3)
        #expect(ready == 7)
        while received.count < 10 {
            let more = client.run([.outboundWritten(120)]).bodies
            #expect(!more.isEmpty)
            received += more
        }
        #expect(received.map { String($0.prefix(1)) } == (0..<10).map(String.init))
        #expect(ready == 0)
    }

    @Test func aStalledConnectionStallsOnlyItself() {
        let other = TestClient(broker, id: 2)
        other.open()
        client.consume("q", tag: "stalled", noAck: true)
        other.consume("q", tag: "reading", noAck: true)
        client.run([.writabilityChanged(false)])
        _ = publish(2)
        #expect(other.take().bodies.count == 2)
        #expect(ready == 0)
    }

    @Test func basicGetAnswersAStalledConnection() {
        client.run([.writabilityChanged(false)])
        _ = publish(1)
        #expect(client.get("q", noAck: true).gets.count == 1)
    }

    @Test func heldBytesCountWhatConnectionsHaveNotWritten() {
        client.consume("q", tag: "c", noAck: true)
        let sent = publish(3).reduce(0) { $0 + $1.creditBytes }
        #expect(sent >= 120)
        #expect(broker.heldBytes == broker.backlogBytes + sent)
        client.run([.outboundWritten(sent)])
        #expect(broker.heldBytes == broker.backlogBytes)
    }
}
