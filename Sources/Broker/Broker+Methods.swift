import AMQPWire

/// Dispatches a channel method to the part of the broker that handles it.
extension Broker {
    func handle(_ method: AMQPMethod, on channel: BrokerChannel) throws(AMQPError) {
        guard persistence != nil, Self.mayChangeDurableDefinitions(method) else { return try carryOut(method, on: channel) }
        definitionsChanged = true
        deferringReply = true
        deferredReply = nil
        defer { deferringReply = false }
        deferredFollowers.removeAll()
        try carryOut(method, on: channel)
        awaitingDefinitions.append((channel, deferredReply, channel.replies.hold()))
        for follower in deferredFollowers { channel.replies.queue(follower) }
    }

    private func carryOut(_ method: AMQPMethod, on channel: BrokerChannel) throws(AMQPError) {
        switch method {
        case .exchangeDeclare(let declare):
            try declareExchange(declare, on: channel)
        case .exchangeDelete(let delete):
            try deleteExchange(delete, on: channel)
        case .exchangeBind(let bind):
            try bindExchange(destination: bind.destination, source: bind.source, key: bind.routingKey,
                             arguments: bind.arguments, on: channel)
            reply(.exchangeBindOk, on: channel, unless: bind.noWait)
        case .exchangeUnbind(let unbind):
            try unbindExchange(destination: unbind.destination, source: unbind.source, key: unbind.routingKey,
                               arguments: unbind.arguments, on: channel)
            reply(.exchangeUnbindOk, on: channel, unless: unbind.noWait)
        case .queueDeclare(let declare):
            try declareQueue(declare, on: channel)
        case .queueBind(let bind):
            try bindQueue(bind, on: channel)
        case .queueUnbind(let unbind):
            try unbindQueue(unbind, on: channel)
        case .queuePurge(let purge):
            try purgeQueue(purge, on: channel)
        case .queueDelete(let delete):
            try deleteQueue(delete, on: channel)
        case .basicQos(let qos):
            try setQos(qos, on: channel)
        case .basicConsume(let consume):
            try startConsumer(consume, on: channel)
        case .basicCancel(let cancel):
            cancelConsumer(cancel, on: channel)
        case .basicGet(let get):
            try fetch(get, on: channel)
        case .basicAck(let ack):
            try acknowledge(tag: ack.deliveryTag, multiple: ack.multiple, on: channel)
        case .basicReject(let rejection):
            try reject(tag: rejection.deliveryTag, multiple: false, requeue: rejection.requeue, on: channel)
        case .basicNack(let nack):
            try reject(tag: nack.deliveryTag, multiple: nack.multiple, requeue: nack.requeue, on: channel)
        case .basicRecover(let recover):
            guard recover.requeue else { throw AMQPError(.notImplemented, "requeue=false") }
            requeue(channel.takeAllUnacked())
            scheduleChannelQueues(channel)
            reply(.basicRecoverOk, on: channel, unless: false)
        case .basicRecoverAsync(let recover):
            guard recover.requeue else { throw AMQPError(.notImplemented, "requeue=false") }
            requeue(channel.takeAllUnacked())
            scheduleChannelQueues(channel)
        case .confirmSelect(let select):
            try selectConfirms(select, on: channel)
        case .txSelect:
            try selectTransactions(on: channel)
        case .txCommit:
            try commit(on: channel)
        case .txRollback:
            try rollback(on: channel)
        default:
            throw AMQPError(.commandInvalid, "unimplemented method \(method.name)")
        }
    }

    /// Methods after which the durable definitions are written again (only durable ones are written).
    static func mayChangeDurableDefinitions(_ method: AMQPMethod) -> Bool {
        switch method {
        case .exchangeDeclare(let declare): !declare.passive && declare.durable
        case .queueDeclare(let declare): !declare.passive && declare.durable && !declare.exclusive
        case .exchangeDelete, .exchangeBind, .exchangeUnbind, .queueBind, .queueUnbind, .queueDelete: true
        default: false
        }
    }

    private func setQos(_ qos: BasicQos, on channel: BrokerChannel) throws(AMQPError) {
        guard qos.prefetchSize == 0 else {
            throw AMQPError(.notImplemented, "prefetch_size!=0 (\(qos.prefetchSize))")
        }
        if qos.global {
            channel.channelPrefetch = Int(qos.prefetchCount)
        } else {
            // RabbitMQ applies it to consumers started afterwards only; warren to the channel's
            // consumers too, as the spec and kombu (Celery) expect of a broker that is not RabbitMQ:
            // Celery raises it while it holds ETA tasks (Docs/compatibility.md).
            channel.consumerPrefetch = Int(qos.prefetchCount)
            for consumer in channel.consumers.values { consumer.prefetchLimit = channel.consumerPrefetch }
        }
        for consumer in channel.consumers.values { scheduleDispatch(consumer.queue) }
        reply(.basicQosOk, on: channel, unless: false)
    }

    private func selectConfirms(_ select: ConfirmSelect, on channel: BrokerChannel) throws(AMQPError) {
        guard channel.transaction == nil else {
            throw AMQPError(.preconditionFailed, "cannot switch from tx to confirm mode")
        }
        if channel.nextPublishSequence == nil { channel.nextPublishSequence = 1 }
        reply(.confirmSelectOk, on: channel, unless: select.noWait)
    }
}
