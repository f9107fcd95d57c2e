import AMQPWire
import Testing

@testable import Broker

/// tx.select / tx.commit / tx.rollback, and the confirm ↔ tx exclusion.
@Suite struct TransactionTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
        client.declareQueue("q")
    }

    @Test func publishesAreInvisibleUntilCommit() {
        expectMethods(client.call(.txSelect), [.txSelectOk])
        client.publish("1", key: "q")
        client.publish("2", key: "q")
        #expect(broker.readyBodies("q") == [])
        expectMethods(client.call(.txCommit), [.txCommitOk])
        #expect(broker.readyBodies("q") == ["1", "2"])
    }

    @Test func consumersSeeCommittedPublishesOnly() {
        let consumer = TestClient(broker, id: 2)
        consumer.open()
        consumer.consume("q", tag: "c")
        client.call(.txSelect)
        client.publish("1", key: "q")
        #expect(consumer.take().deliveries.isEmpty)
        client.call(.txCommit)
        #expect(consumer.take().bodies == ["1"])
    }

    @Test func rollbackDiscardsPublishes() {
        client.call(.txSelect)
        client.publish("gone", key: "q")
        expectMethods(client.call(.txRollback), [.txRollbackOk])
        client.publish("kept", key: "q")
        client.call(.txCommit)
        #expect(broker.readyBodies("q") == ["kept"])
    }

    @Test func channelStaysTransactionalAfterCommit() {
        client.call(.txSelect)
        client.call(.txCommit)
        client.publish("m", key: "q")
        #expect(broker.readyBodies("q") == [])
        client.call(.txCommit)
        #expect(broker.readyBodies("q") == ["m"])
    }

    @Test func acksAreHeldUntilCommit() {
        client.run(["1", "2"].map { Cmd.publish($0, key: "q") })
        _ = client.get("q")
        _ = client.get("q")
        client.call(.txSelect)
        client.ack(1)
        client.call(.txRollback)  // the ack is discarded: 1 still outstanding
        client.ack(2)
        client.call(.txCommit)
        client.close()
        #expect(broker.readyBodies("q") == ["1"])
    }

    @Test func mandatoryReturnHappensAtCommit() {
        client.call(.txSelect)
        let publish = client.publish("lost", exchange: "amq.direct", key: "nobody", mandatory: true)
        #expect(publish.isEmpty)
        let commit = client.call(.txCommit)
        #expect(commit.returns.map(\.body) == ["lost"])
        #expect(commit.methods == [.txCommitOk])
    }

    @Test func publishToAMissingExchangeFailsAtPublishTime() {
        client.call(.txSelect)
        let out = client.publish("m", exchange: "nope", key: "k")
        #expect(out.channelError?.code == .notFound)
    }

    @Test func commitWithoutSelectIs406() {
        let out = client.call(.txCommit)
        #expect(out.channelError?.code == .preconditionFailed)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - channel is not transactional")
        #expect(out.channelError?.classID == 90)
        #expect(out.channelError?.methodID == 20)
    }

    @Test func rollbackWithoutSelectIs406() {
        let out = client.call(.txRollback)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - channel is not transactional")
    }

    @Test func confirmChannelCannotBecomeTransactional() {
        client.call(.confirmSelect(ConfirmSelect()))
        let out = client.call(.txSelect)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - cannot switch from confirm to tx mode")
    }

    @Test func transactionalChannelCannotSelectConfirms() {
        client.call(.txSelect)
        let out = client.call(.confirmSelect(ConfirmSelect()))
        #expect(out.channelError?.text == "PRECONDITION_FAILED - cannot switch from tx to confirm mode")
    }

    @Test func txSelectTwiceIsFine() {
        client.call(.txSelect)
        expectMethods(client.call(.txSelect), [.txSelectOk])
    }

    @Test func closingATransactionalChannelDiscardsPendingPublishes() {
        client.call(.txSelect)
        client.publish("m", key: "q")
        client.close()
        #expect(broker.readyBodies("q") == [])
    }
}
