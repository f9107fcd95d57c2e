import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// A persistence that records what the broker asks of it and holds `whenDurable` callbacks
/// until the test says the disk caught up.
final class FakePersistence: BrokerPersistence {
    private var nextID: UInt64 = 0
    var stored: [(id: UInt64, queues: [String], body: String)] = []
    var delivered: [(id: UInt64, queue: String)] = []
    var removed: [(id: UInt64, queue: String)] = []
    var commits = 0
    var definitions: [Definitions] = []
    private var waiting: [(DiskOutcome) -> Void] = []
    /// When false, new definitions are `.saving` until `fsyncCompleted`; when true, on disk at once.
    var definitionsWrittenAtOnce = true
    var savedDefinitions = Definitions()
    var failure: String?

    func allocateMessageID() -> UInt64 {
        nextID += 1
        return nextID
    }

    func stored(id: UInt64, vhost: String, queues: [String], exchange: String, routingKey: String,
                publishedAt: Int64, properties: ByteBuffer, body: ByteBuffer) {
        stored.append((id, queues, String(buffer: body)))
        if groups.last == "begin" || groups.last?.hasPrefix("stored") == true { groups.append("stored \(id)") }
    }

    func delivered(id: UInt64, queue: String) { delivered.append((id, queue)) }
    func removed(id: UInt64, queue: String) { removed.append((id, queue)) }
    func whenDurable(_ callback: @escaping (DiskOutcome) -> Void) { waiting.append(callback) }
    /// "begin"/"end" markers and the ids stored in between, in order.
    var groups: [String] = []
    func beginGroup() { groups.append("begin") }
    func endGroup() { groups.append("end") }
    func commit() { commits += 1 }
    func definitionsChanged(_ definitions: Definitions) -> DefinitionsSave {
        self.definitions.append(definitions)
        if definitionsWrittenAtOnce { savedDefinitions = definitions }
        guard definitions != savedDefinitions else { return .onDisk }
        waiting.append { [unowned self] outcome in if case .written = outcome { savedDefinitions = definitions } }
        return .saving
    }

    /// The disk caught up (or failed): runs every waiting callback.
    func fsyncCompleted(_ outcome: DiskOutcome = .written) {
        let callbacks = waiting
        waiting.removeAll()
        for callback in callbacks { callback(outcome) }
    }
}

/// Publisher confirms for persistent messages to durable queues wait for the disk.
@Suite struct DurableConfirmTests {
    let broker = Broker()
    let persistence = FakePersistence()
    let client: TestClient

    static let persistent = BasicProperties(deliveryMode: 2)

    init() {
        broker.persistence = persistence
        client = TestClient(broker)
        client.open()
        client.declareQueue("durable", durable: true)
        client.declareQueue("transient")
        client.call(.confirmSelect(ConfirmSelect()))
    }

    @Test func persistentMessageToADurableQueueIsConfirmedAfterFsync() {
        let out = client.publish("m", key: "durable", properties: Self.persistent)
        #expect(out.confirmAcks.isEmpty)
        #expect(persistence.stored.map(\.queues) == [["durable"]])
        #expect(broker.readyBodies("durable") == ["m"])
        persistence.fsyncCompleted()
        #expect(client.take().confirmAcks == [BasicAck(deliveryTag: 1, multiple: false)])
    }

    @Test func transientMessagesAndTransientQueuesAreConfirmedAtOnce() {
        let out = client.run([
            Cmd.publish("a", key: "durable"),  // not persistent
            Cmd.publish("b", key: "transient", properties: Self.persistent),  // queue not durable
        ])
        #expect(out.confirmAcks == [BasicAck(deliveryTag: 2, multiple: true)])
        #expect(persistence.stored.isEmpty)
    }

    @Test func anEarlierUnconfirmedPublishIsNeverCoveredByAMultipleAck() {
        let out = client.run([
            Cmd.publish("stored", key: "durable", properties: Self.persistent),
            Cmd.publish("t1", key: "transient"),
            Cmd.publish("t2", key: "transient"),
        ])
        // 2 and 3 may be acked now, but not with multiple=true, which would also confirm 1.
        #expect(!out.confirmAcks.contains { $0.multiple })
        #expect(Set(out.confirmAcks.map(\.deliveryTag)) == [2, 3])
        persistence.fsyncCompleted()
        #expect(client.take().confirmAcks == [BasicAck(deliveryTag: 1, multiple: false)])
    }

    @Test func exclusiveDurableQueuesAreNotPersisted() {
        client.declareQueue("mine", durable: true, exclusive: true)
        let out = client.publish("m", key: "mine", properties: Self.persistent)
        #expect(out.confirmAcks == [BasicAck(deliveryTag: 1, multiple: false)])
        #expect(persistence.stored.isEmpty)
    }

    @Test func ackingAStoredDeliveryRemovesItFromTheStore() {
        client.publish("m", key: "durable", properties: Self.persistent)
        persistence.fsyncCompleted()
        _ = client.take()
        let got = client.get("durable").gets.map(\.message)
        #expect(persistence.delivered.map(\.queue) == ["durable"])
        #expect(persistence.removed.isEmpty)
        client.ack(got.tag(0))
        #expect(persistence.removed.map(\.id) == persistence.stored.map(\.id))
    }

    @Test func requeuedStoredDeliveryStaysInTheStore() {
        client.publish("m", key: "durable", properties: Self.persistent)
        _ = client.get("durable")
        client.close()
        #expect(persistence.removed.isEmpty)
        #expect(broker.readyBodies("durable") == ["m"])
    }

    @Test func purgingAndDeletingForgetStoredMessages() {
        client.run(["1", "2"].map { Cmd.publish($0, key: "durable", properties: Self.persistent) })
        client.call(.queuePurge(QueuePurge(queue: "durable")))
        #expect(persistence.removed.count == 2)
        client.publish("3", key: "durable", properties: Self.persistent)
        _ = client.get("durable")  // unacked when the queue goes
        client.call(.queueDelete(QueueDelete(queue: "durable")))
        #expect(persistence.removed.count == 3)
    }

    @Test func durableDeclarationsRewriteTheDefinitions() {
        let before = persistence.definitions.count
        client.declareExchange("dx", type: "topic", durable: true)
        client.bindQueue("durable", to: "dx", key: "a.#")
        let last = persistence.definitions.last
        #expect(persistence.definitions.count == before + 2)
        #expect(last?.exchanges.map(\.name) == ["dx"])
        #expect(last?.queues.map(\.name) == ["durable"])
        #expect(last?.bindings.map(\.routingKey) == ["a.#"])
    }

    @Test func channelClosedBeforeFsyncGetsNoLateAck() {
        client.publish("m", key: "durable", properties: Self.persistent)
        client.close()
        persistence.fsyncCompleted()
        #expect(client.take().isEmpty)
    }

    // MARK: Transactions

    @Test func commitOkWaitsForFsyncWhenTheTransactionStoredMessages() {
        let tx = TestClient(broker, id: 2)
        tx.open()
        tx.call(.txSelect)
        tx.publish("a", key: "durable", properties: Self.persistent)
        tx.publish("b", key: "durable", properties: Self.persistent)
        let commit = tx.call(.txCommit)
        #expect(commit.methods.isEmpty)
        #expect(persistence.groups == ["begin", "stored 1", "stored 2", "end"])
        #expect(broker.readyBodies("durable") == ["a", "b"])
        persistence.fsyncCompleted()
        #expect(tx.take().methods == [.txCommitOk])
    }

    @Test func commitOkIsImmediateWithoutStoredMessages() {
        let tx = TestClient(broker, id: 2)
        tx.open()
        tx.call(.txSelect)
        tx.publish("a", key: "transient", properties: Self.persistent)
        expectMethods(tx.call(.txCommit), [.txCommitOk])
    }

    @Test func commitOkForAChannelClosedBeforeFsyncIsNotSentToItsSuccessor() {
        let tx = TestClient(broker, id: 2)
        tx.open()
        tx.call(.txSelect)
        tx.publish("a", key: "durable", properties: Self.persistent)
        tx.call(.txCommit)
        tx.close()
        tx.open()  // same channel number, a new channel that never sent tx.commit
        persistence.fsyncCompleted()
        let late = tx.take()
        #expect(late.methods.isEmpty, "stale commit-ok reached the reopened channel: \(late)")
    }
}

