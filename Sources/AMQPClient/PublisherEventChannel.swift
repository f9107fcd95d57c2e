import AMQPWire

/// What the broker tells a publisher on a confirm-mode channel, one event at a time.
public enum PublisherEvent: Sendable, Equatable {
    /// basic.ack: the message with this publish sequence number (and every lower one when `multiple`) is safe.
    case ack(UInt64, multiple: Bool)
    /// basic.nack: the broker could not take it.
    case nack(UInt64, multiple: Bool)
    /// basic.return of a mandatory message no queue took (sent before its ack).
    case returned(routingKey: String)
    /// connection.blocked, with the broker's reason, and connection.unblocked.
    case blocked(reason: String)
    case unblocked
    /// The channel or the connection is gone; nothing more follows.
    case failed(AMQPClientError)
}

/// A channel in publisher-confirm mode that publishes without waiting and reports confirms,
/// returns and the connection's blocked state as `PublisherEvent`s, in the order the broker sent
/// them, for a publisher that keeps its own window of unconfirmed messages (the upstream forwarder).
/// Publish sequence numbers start at 1 and count every message published on it.
public struct PublisherEventChannel: Sendable {
    public let channel: AMQPClientChannel

    /// Opens a channel on `connection`, sends confirm.select and starts reporting to `events`
    /// (called on the connection's event loop; it must not block).
    public static func open(on connection: AMQPClientConnection,
                            events: @escaping @Sendable (PublisherEvent) -> Void) async throws -> PublisherEventChannel {
        let channel = try await connection.openChannel()
        try await channel.call(.confirmSelect(ConfirmSelect()))
        let number = channel.number
        try await connection.onLoop { handler in
            guard let state = handler.channels[number] else { throw AMQPClientError.unexpected("channel \(number) is closed") }
            state.onConfirm = { tag, multiple, ack in events(ack ? .ack(tag, multiple: multiple) : .nack(tag, multiple: multiple)) }
            state.onReturn = { returned in events(.returned(routingKey: returned.routingKey)) }
            handler.onBlocked = { reason in events(reason.map(PublisherEvent.blocked(reason:)) ?? PublisherEvent.unblocked) }
            handler.channelFailureHook[number] = { error in events(.failed(error)) }
        }
        return PublisherEventChannel(channel: channel)
    }

    /// Writes every message in one flush, `mandatory` set on each; does not wait for confirms.
    public func publish(_ messages: [OutgoingMessage], mandatory: Bool) async throws {
        guard !messages.isEmpty else { return }
        let number = channel.number
        try await channel.connection.onLoop { handler in
            guard handler.channels[number] != nil else { throw AMQPClientError.unexpected("channel \(number) is closed") }
            handler.writePublishes(messages, channel: number, mandatory: mandatory)
            handler.flush()
        }
    }

    /// Closes the channel (channel.close, waits for close-ok); its events stop.
    public func close() async throws {
        let number = channel.number
        try await channel.connection.onLoop { handler in handler.channelFailureHook[number] = nil }
        try await channel.call(.channelClose(ChannelClose(replyCode: 200, replyText: "publishing again on a new channel")))
    }
}
