import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// A paged message whose record cannot be read back (or does not decode): a persistent one comes
/// back from its stored copy, in its place; one that is lost is dropped, the rest keep their order,
/// and a lost persistent message's store reference is released.
@Suite struct UnreadablePageTests {
    typealias MemoryPager = PagedBacklogTests.MemoryPager

    static func stored(_ message: Message) -> StoredMessage {
        StoredMessage(exchange: message.exchange, routingKey: message.routingKey, properties: message.header.propertyBytes,
                      body: message.body)
    }

    @Test func aPersistentMessageComesBackFromTheLogAndALostOneIsDroppedInOrder() throws {
        let pager = MemoryPager()
        let queue = PagedBacklogTests.pagingQueue(pager)
        defer { withExtendedLifetime(pager) {} }
        // Store ids: even messages persistent (index + 1), odd ones transient.
        for index in 0..<10 {
            queue.enqueue(PagedBacklogTests.message(index), storeID: index % 2 == 0 ? UInt64(index + 1) : 0)
        }
        pager.records[3] = nil  // message 2 (persistent): its record is gone, its stored copy is there
        pager.stored[3] = Self.stored(PagedBacklogTests.message(2))
        pager.records[4] = ByteBuffer(string: "not a record")  // message 3 (transient): does not decode
        pager.records[7] = nil  // message 6 (persistent): neither record nor stored copy
        let taken = PagedBacklogTests.drain(queue)
        #expect(taken.map(\.sequence) == [0, 1, 2, 4, 5, 7, 8, 9])
        let recovered = try #require(taken.first { $0.sequence == 2 })
        #expect(recovered.storeID == 3 && recovered.message.routingKey == "key.2" && String(buffer: recovered.message.body) == "body 2")
        #expect(try recovered.message.header.properties().messageID == "id-2")
        #expect(pager.recoveries == [[3, 0, 7]])
        #expect(queue.lostStoreIDs == [7])
        #expect(queue.readyBytes == 0 && queue.readyBodyBytes == 0)
        #expect(queue.removeAllReady().storeIDs == [7])
        #expect(queue.lostStoreIDs.isEmpty)
    }

    @Test func theBrokerReleasesALostPersistentMessagesStoreReference() {
        let broker = Broker()
        let persistence = FakePersistence()
        let pager = MemoryPager()
        defer { withExtendedLifetime(pager) {} }
        broker.persistence = persistence
        broker.configurePaging(pager, queueMemoryLimit: 0)
        let client = TestClient(broker)
        client.open()
        client.declareQueue("durable", durable: true)
        for index in 0..<3 { _ = client.publish("m\(index)", key: "durable", properties: BasicProperties(deliveryMode: 2)) }
        #expect(persistence.stored.map(\.id) == [1, 2, 3])
        pager.records[2] = nil  // the second message's record is gone, and the log has no copy
        #expect(client.get("durable", noAck: true).gets.map(\.message.body) == ["m0"])
        #expect(persistence.removed.map(\.id) == [1, 2])
        #expect(client.get("durable", noAck: true).gets.map(\.message.body) == ["m2"])
        #expect(persistence.removed.map(\.id) == [1, 2, 3])
    }
}
