import AMQPWire
import NIOCore

/// One channel of a client connection.
public struct AMQPClientChannel: Sendable {
    public let connection: AMQPClientConnection
    public let number: UInt16

    /// Sends a synchronous method and returns the server's reply method.
    @discardableResult
    public func call(_ method: AMQPMethod) async throws -> AMQPMethod {
        try await reply(method).method
    }

    private func reply(_ method: AMQPMethod) async throws -> Reply {
        let number = self.number
        let handler = connection.handler
        let eventLoop = connection.channel.eventLoop
        return try await eventLoop.flatSubmit { handler.value.call(method, channel: number, eventLoop: eventLoop) }.get()
    }

    /// Sends a method that has no reply (basic.ack, a no-wait method).
    public func send(_ method: AMQPMethod) async throws {
        let number = self.number
        try await connection.onLoop { handler in
            handler.write(method, channel: number)
            handler.flush()
        }
    }

    /// Publishes one message.
    public func publish(exchange: String, routingKey: String, body: ByteBuffer,
                        properties: BasicProperties = BasicProperties(), mandatory: Bool = false) async throws {
        let number = self.number
        try await connection.onLoop { handler in
            handler.writePublish(channel: number, exchange: exchange, routingKey: routingKey,
                                 header: ContentHeader(bodySize: UInt64(body.readableBytes), properties: properties),
                                 body: body, mandatory: mandatory)
            handler.flush()
        }
    }

    /// Publishes the messages in one write and one flush, without confirms.
    public func publish(_ messages: [OutgoingMessage]) async throws {
        let number = self.number
        try await connection.onLoop { handler in
            handler.writePublishes(messages, channel: number)
            handler.flush()
        }
    }

    /// basic.get: the next message, or nil when the queue is empty.
    public func get(queue: String, noAck: Bool) async throws -> Delivery? {
        try await reply(.basicGet(BasicGet(queue: queue, noAck: noAck))).delivery
    }

    /// Starts a consumer; `onDelivery` runs on the connection's event loop for every message, and
    /// `onCancel` if the server cancels the consumer.
    @discardableResult
    public func consume(queue: String, tag: String = "", noAck: Bool, exclusive: Bool = false, arguments: FieldTable = [:],
                        onCancel: (@Sendable () -> Void)? = nil,
                        onDelivery: @escaping @Sendable (Delivery) -> Void) async throws -> String {
        let number = self.number
        let handler = connection.handler
        let eventLoop = connection.channel.eventLoop
        let future = eventLoop.flatSubmit {
            handler.value.call(.basicConsume(BasicConsume(queue: queue, consumerTag: tag, noAck: noAck, exclusive: exclusive,
                                                         arguments: arguments)),
                               channel: number, eventLoop: eventLoop)
                .flatMapThrowing { reply -> String in
                    guard case .basicConsumeOk(let ok) = reply.method else { throw AMQPClientError.unexpected(reply.method.name) }
                    handler.value.channels[number]?.consumers[ok.consumerTag] = onDelivery
                    handler.value.channels[number]?.onCancel[ok.consumerTag] = onCancel
                    return ok.consumerTag
                }
        }
        return try await future.get()
    }

    /// Acknowledges deliveries.
    public func ack(_ deliveryTag: UInt64, multiple: Bool = false) async throws {
        try await send(.basicAck(BasicAck(deliveryTag: deliveryTag, multiple: multiple)))
    }
}

extension AMQPClientChannel {
    /// Publishes one message on a channel in confirm mode and waits for the broker's ack (true) or nack (false).
    public func publishConfirmed(exchange: String, routingKey: String, body: ByteBuffer,
                                 properties: BasicProperties = BasicProperties()) async throws -> Bool {
        let number = self.number
        let eventLoop = connection.channel.eventLoop
        let promise = eventLoop.makePromise(of: Bool.self)
        try await connection.onLoop { handler in
            guard let state = handler.channels[number] else { throw AMQPClientError.unexpected("channel \(number) is closed") }
            state.onConfirm = { _, _, ack in
                handler.channelFailureHook[number] = nil
                promise.succeed(ack)
            }
            handler.channelFailureHook[number] = { error in promise.fail(error) }
            handler.writePublish(channel: number, exchange: exchange, routingKey: routingKey,
                                 header: ContentHeader(bodySize: UInt64(body.readableBytes), properties: properties),
                                 body: body, mandatory: false)
            handler.flush()
        }
        return try await promise.futureResult.get()
    }
}

extension AMQPClientConnection {
    /// Waits until the connection is closed (by the server or the network); throws the reason.
    public func closed() async throws {
        try await channel.closeFuture.get()
        let failure = try await channel.eventLoop.submit { [handler] in handler.value.failure }.get()
        if let failure, failure != .connectionLost { throw failure }
    }
}
