import AMQPWire
import NIOCore

/// A message to publish.
public struct OutgoingMessage: Sendable {
    public var exchange: String
    public var routingKey: String
    public var properties: BasicProperties
    public var body: ByteBuffer

    public init(exchange: String, routingKey: String, properties: BasicProperties, body: ByteBuffer) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}

extension AMQPClientHandler {
    /// Writes basic.publish, header and body for each message; the caller flushes.
    func writePublishes(_ messages: [OutgoingMessage], channel: UInt16, mandatory: Bool = false) {
        for message in messages {
            writePublish(channel: channel, exchange: message.exchange, routingKey: message.routingKey,
                         header: ContentHeader(bodySize: UInt64(message.body.readableBytes), properties: message.properties),
                         body: message.body, mandatory: mandatory)
        }
    }
}

/// A channel in publisher-confirm mode that publishes a batch at a time and reports, for each
/// message, whether the broker acked or nacked it. Use it for nothing else: it counts the
/// channel's delivery tags itself.
public struct ConfirmedPublishChannel: Sendable {
    public let channel: AMQPClientChannel
    private let published: NIOLoopBoundBox<UInt64>

    /// Opens a channel on `connection` and sends confirm.select.
    public static func open(on connection: AMQPClientConnection) async throws -> ConfirmedPublishChannel {
        let channel = try await connection.openChannel()
        try await channel.call(.confirmSelect(ConfirmSelect()))
        let eventLoop = connection.channel.eventLoop
        let published = try await eventLoop.submit { NIOLoopBoundBox(UInt64(0), eventLoop: eventLoop) }.get()
        return ConfirmedPublishChannel(channel: channel, published: published)
    }

    /// Publishes every message and waits until each is confirmed: true for basic.ack, false for
    /// basic.nack, in the order given. Throws when the channel or connection fails first.
    public func publish(_ messages: [OutgoingMessage]) async throws -> [Bool] {
        guard !messages.isEmpty else { return [] }
        let number = channel.number
        let published = self.published
        let promise = channel.connection.channel.eventLoop.makePromise(of: [Bool].self)
        try await channel.connection.onLoop { handler in
            guard let state = handler.channels[number] else { throw AMQPClientError.unexpected("channel \(number) is closed") }
            let first = published.value + 1
            published.value += UInt64(messages.count)
            var outcome = [Bool?](repeating: nil, count: messages.count)
            var waiting = messages.count
            state.onConfirm = { tag, multiple, ack in
                guard tag >= first else { return }
                let upper = min(Int(tag - first), messages.count - 1)
                for index in (multiple ? 0 : upper)...upper where outcome[index] == nil {
                    outcome[index] = ack
                    waiting -= 1
                }
                guard waiting == 0 else { return }
                state.onConfirm = nil
                handler.channelFailureHook[number] = nil
                promise.succeed(outcome.map { $0 ?? false })
            }
            handler.channelFailureHook[number] = { error in promise.fail(error) }
            handler.writePublishes(messages, channel: number)
            handler.flush()
        }
        return try await promise.futureResult.get()
    }
}
