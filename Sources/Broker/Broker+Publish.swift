import AMQPWire
import NIOCore

/// basic.publish: routing through exchanges into queues, mandatory returns, publisher confirms.
extension Broker {
    func receivePublish(_ publish: BasicPublish, header: ContentHeader, body: ByteBuffer, on channel: BrokerChannel) throws(AMQPError) {
        if channel.transaction != nil {
            _ = try channel.session.vhost.exchange(publish.exchange)  // a missing exchange fails at once, as RabbitMQ
            channel.transaction?.steps.append(.publish(publish, header, body))
            return
        }
        try route(publish, header: header, body: body, on: channel)
    }

    func route(_ publish: BasicPublish, header: ContentHeader, body: ByteBuffer, on channel: BrokerChannel) throws(AMQPError) {
        let vhost = channel.session.vhost
        let exchange = try vhost.exchange(publish.exchange)
        if exchange.internal {
            throw AMQPError(.accessRefused, "cannot publish to internal exchange '\(exchange.name)' in vhost '\(vhost.name)'")
        }
        let sequence = channel.nextPublishSequence
        if let sequence { channel.nextPublishSequence = sequence + 1 }
        var header = header
        if try DirectReplyTo.needsRewrite(header) {
            header = try directReplyTo.rewriteReplyTo(header, for: channel)
        }
        let message = Message(exchange: publish.exchange, routingKey: publish.routingKey, header: header, body: body)
        let delivered = deliver(message, from: exchange, in: vhost)
        if !delivered && publish.mandatory {
            let returned = BasicReturn(replyCode: ReplyCode.noRoute.rawValue, replyText: ReplyCode.noRoute.name,
                                       exchange: publish.exchange, routingKey: publish.routingKey)
            channel.session.send(.content(channel.number, .basicReturn(returned), header, body))
        }
        if let sequence { noteConfirm(channel, sequence: sequence, ack: true) }
    }

    /// Puts a message on every queue the exchange routes it to; false when it reached none.
    /// Also the entry point for in-process publishers (the syslog collector).
    @discardableResult
    public func deliver(_ message: Message, from exchange: Exchange, in vhost: VirtualHost) -> Bool {
        if exchange.name.isEmpty {
            if let queue = vhost.queues[message.routingKey] {
                queue.enqueue(message)
                scheduleDispatch(queue)
                return true
            }
            return directReplyTo.deliver(message, broker: self)
        }
        var targets: [Queue] = []
        vhost.route(exchange: exchange, routingKey: message.routingKey, message: message, into: &targets)
        for queue in targets {
            queue.enqueue(message)
            scheduleDispatch(queue)
        }
        return !targets.isEmpty
    }
}
