import AMQPWire
import Testing

@testable import Broker

/// The store may answer after the broker is gone: `warren serve` tears the broker down when a
/// setup step fails while a write is still in flight.
@Suite struct DiskAnswersAfterTeardownTests {
    @Test func aFailedWriteAnsweringAGoneBrokerIsIgnored() {
        let persistence = FakePersistence()
        persistence.definitionsWrittenAtOnce = false
        weak var gone: Broker?
        do {
            let broker = Broker()
            gone = broker
            broker.persistence = persistence
            let client = TestClient(broker)
            client.open()
            // Its declare-ok waits for the definitions write, as does the confirm of the publish.
            client.call(.queueDeclare(QueueDeclare(queue: "durable", durable: true)))
            client.call(.confirmSelect(ConfirmSelect()))
            client.publish("m", key: "durable", properties: BasicProperties(deliveryMode: 2))
        }
        #expect(gone == nil)
        persistence.fsyncCompleted(.failed("the disk answered late"))
    }
}
