import AMQPWire
import Testing

@testable import Broker

/// Answers that once differed from RabbitMQ 3.10 and that client libraries' suites trip over
/// (issue 19), each pinned to what RabbitMQ does (checked against a RabbitMQ 3.10.8 node; the
/// interop file test_rabbitmq_parity.py runs the client-visible ones against both).
@Suite struct RabbitMQParityTests {
    let broker = Broker()
    let client: TestClient

    init() {
        client = TestClient(broker)
        client.open()
    }

    // MARK: Unbinding what is not there (rabbit_binding:remove)

    @Test func queueUnbindOfAMissingQueueExchangeOrBindingIsUnbindOk() {
        expectMethods(client.call(.queueUnbind(QueueUnbind(queue: "gone", exchange: "amq.direct", routingKey: "k"))), [.queueUnbindOk])
        client.declareQueue("q")
        expectMethods(client.call(.queueUnbind(QueueUnbind(queue: "q", exchange: "gone", routingKey: "k"))), [.queueUnbindOk])
        expectMethods(client.call(.queueUnbind(QueueUnbind(queue: "q", exchange: "amq.direct", routingKey: "never"))), [.queueUnbindOk])
    }

    @Test func exchangeUnbindOfAMissingSourceOrDestinationIsUnbindOk() {
        client.declareExchange("x", type: "fanout")
        for (source, destination) in [("gone", "x"), ("x", "gone"), ("gone", "gone2"), ("x", "amq.direct")] {
            expectMethods(client.call(.exchangeUnbind(ExchangeUnbind(destination: destination, source: source, routingKey: "k"))),
                          [.exchangeUnbindOk])
        }
    }

    @Test func unbindingAnExistingBindingOfAnotherConnectionsExclusiveQueueIs405() {
        client.declareQueue("mine", exclusive: true)
        client.bindQueue("mine", to: "amq.direct", key: "k")
        let other = TestClient(broker, id: 2)
        other.open()
        expectMethods(other.call(.queueUnbind(QueueUnbind(queue: "mine", exchange: "amq.direct", routingKey: "other"))), [.queueUnbindOk])
        let out = other.call(.queueUnbind(QueueUnbind(queue: "mine", exchange: "amq.direct", routingKey: "k")))
        #expect(out.channelError?.code == .resourceLocked)
        #expect(broker.vhost("/")?.exchanges["amq.direct"]?.bindings.count == 1)
    }

    @Test func unbindFromTheDefaultExchangeIsStill403() {
        let out = client.call(.queueUnbind(QueueUnbind(queue: "gone", exchange: "", routingKey: "gone")))
        #expect(out.channelError?.text == "ACCESS_REFUSED - operation not permitted on the default exchange")
    }

    @Test func bindingAMissingQueueToAMissingExchangeNamesTheExchange() {
        // rabbit_binding: the source is looked up before the destination.
        let out = client.call(.queueBind(QueueBind(queue: "nosuchq", exchange: "nosuchx", routingKey: "k")))
        #expect(out.channelError?.text == "NOT_FOUND - no exchange 'nosuchx' in vhost '/'")
    }

    @Test func deletingTheLastDeclaredQueueWithNoneDeclaredIs404() {
        let out = client.call(.queueDelete(QueueDelete(queue: "")))
        #expect(out.channelError?.text == "NOT_FOUND - no previously declared queue")
    }

    // MARK: queue.delete of a queue the channel consumes from

    @Test func deleteOkComesBeforeTheCancelOfTheDeletingChannelsConsumer() {
        client.declareQueue("q")
        client.open(2)
        _ = client.consume("q", tag: "own")
        _ = client.consume("q", tag: "other", on: 2)
        let out = client.call(.queueDelete(QueueDelete(queue: "q")))
        let onDeletingChannel = out.channelMethods.filter { $0.channel == 1 }.map(\.method)
        #expect(onDeletingChannel == [.queueDeleteOk(QueueDeleteOk(messageCount: 0)),
                                      .basicCancel(BasicCancel(consumerTag: "own", noWait: true))])
        #expect(out.channelMethods.filter { $0.channel == 2 }.map(\.method) == [.basicCancel(BasicCancel(consumerTag: "other", noWait: true))])
    }

    // MARK: The known divergences of RabbitMQDivergenceTests that clients could see, now closed

    @Test func basicGetDeliveriesDoNotCountTowardsGlobalPrefetch() {
        // rabbit_channel:notify_limiter skips acks of basic.get deliveries (consumer tag `none`);
        // they were never counted by the limiter either.
        client.declareQueue("q")
        client.qos(1, global: true)
        client.run([Cmd.publish("got", key: "q"), Cmd.publish("consumed", key: "q")])
        _ = client.get("q")
        let (_, out) = client.consume("q", tag: "c")
        #expect(out.bodies == ["consumed"])
    }

    @Test func deletingASystemExchangeNamesIt() {
        // rabbit_channel:check_exchange_deletion, whether or not the exchange exists.
        for name in ["amq.direct", "amq.nosuch"] {
            client.open()
            let out = client.call(.exchangeDelete(ExchangeDelete(exchange: name)))
            #expect(out.channelError?.code == .accessRefused)
            #expect(out.channelError?.text == "ACCESS_REFUSED - deletion of system exchange '\(name)' in vhost '/' not allowed")
        }
        #expect(broker.hasExchange("amq.direct"))
    }

    @Test func publishToAnInternalExchangeFailsAtPublishEvenInATransaction() {
        // rabbit_channel basic.publish: check_internal_exchange runs before the tx branch.
        client.declareExchange("hidden", type: "fanout", internal: true)
        client.call(.txSelect)
        let out = client.publish("m", exchange: "hidden", key: "")
        #expect(out.channelError?.text == "ACCESS_REFUSED - cannot publish to internal exchange 'hidden' in vhost '/'")
    }

    @Test func unknownDeliveryTagInATransactionFailsAtTheAck() {
        // rabbit_channel basic.ack: collect_acks runs before the tx branch.
        client.call(.txSelect)
        let out = client.ack(42)
        #expect(out.channelError?.text == "PRECONDITION_FAILED - unknown delivery tag 42")
    }

    @Test func aTagSettledEarlierInTheTransactionIsUnknownAndRollbackForgetsIt() {
        client.declareQueue("q")
        client.run([Cmd.publish("a", key: "q"), Cmd.publish("b", key: "q")])
        let (_, delivered) = client.consume("q", tag: "c")
        let tags = delivered.deliveries
        client.call(.txSelect)
        #expect(client.ack(tags.tag(0)).isEmpty)
        #expect(client.ack(tags.tag(0)).channelError?.text == "PRECONDITION_FAILED - unknown delivery tag \(tags.tag(0))")

        client.open()
        let (_, again) = client.consume("q", tag: "c")
        let redelivered = again.deliveries
        client.call(.txSelect)
        #expect(client.ack(redelivered.tag(1), multiple: true).isEmpty)
        #expect(client.ack(redelivered.tag(0)).channelError?.code == .preconditionFailed)

        client.open()
        let (_, third) = client.consume("q", tag: "c")
        client.call(.txSelect)
        #expect(client.ack(third.deliveries.tag(0)).isEmpty)
        expectMethods(client.call(.txRollback), [.txRollbackOk])
        #expect(client.ack(third.deliveries.tag(0)).isEmpty)
        expectMethods(client.call(.txCommit), [.txCommitOk])
        #expect(broker.readyBodies("q") == [])
    }

    @Test func declaringTheReplyToPseudoQueueAnswersOneConsumer() {
        // rabbit_channel queue.declare of amq.rabbitmq.reply-to*: {ok, Name, 0, 1}, passive or not,
        // with or without a reply consumer; a reply name with no consumer behind it is 404.
        for passive in [false, true] {
            let out = client.call(.queueDeclare(QueueDeclare(queue: "amq.rabbitmq.reply-to", passive: passive)))
            #expect(out.declareOk == QueueDeclareOk(queue: "amq.rabbitmq.reply-to", messageCount: 0, consumerCount: 1))
        }
        client.call(.basicConsume(BasicConsume(queue: "amq.rabbitmq.reply-to", consumerTag: "r", noAck: true)))
        let out = client.call(.queueDeclare(QueueDeclare(queue: "amq.rabbitmq.reply-to")))
        #expect(out.declareOk == QueueDeclareOk(queue: "amq.rabbitmq.reply-to", messageCount: 0, consumerCount: 1))
        let missing = client.call(.queueDeclare(QueueDeclare(queue: "amq.rabbitmq.reply-to.g9.9.9")))
        #expect(missing.channelError?.text == "NOT_FOUND - no queue 'amq.rabbitmq.reply-to.g9.9.9' in vhost '/'")
    }
}
