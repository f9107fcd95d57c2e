import AMQPWire
import NIOCore

/// RabbitMQ's direct reply-to: a client consumes the pseudo-queue `amq.rabbitmq.reply-to`
/// (no-ack), publishes requests with `reply_to = amq.rabbitmq.reply-to`, which the broker rewrites
/// to a name that leads back to that channel; replies published to it through the default
/// exchange go straight to the consumer, with no queue in between.
struct DirectReplyTo {
    static let pseudoQueue = "amq.rabbitmq.reply-to"
    private static let prefix = pseudoQueue + "."

    /// Channels with a reply consumer, by the suffix of their reply-to name.
    private var channels: [String: BrokerChannel] = [:]
    /// Reply names carry 132 random bits from the system's CSPRNG: nobody can guess another
    /// channel's name and send it replies.
    private var names = NameGenerator()

    mutating func startConsumer(tag: String, noAck: Bool, on channel: BrokerChannel) throws(AMQPError) {
        guard noAck else {
            throw AMQPError(.preconditionFailed, "reply consumer cannot acknowledge")
        }
        guard channel.replyToConsumerTag == nil else {
            throw AMQPError(.preconditionFailed, "reply consumer already set")
        }
        let suffix = names.replySuffix()
        channel.replyToConsumerTag = tag
        channel.replyToSuffix = suffix
        channels[suffix] = channel
    }

    mutating func stopConsumer(on channel: BrokerChannel) {
        if let suffix = channel.replyToSuffix { channels[suffix] = nil }
        channel.replyToConsumerTag = nil
        channel.replyToSuffix = nil
    }

    /// Whether queue.declare finds this name (RabbitMQ's declare_fast_reply_to): the pseudo-queue
    /// always; a reply name while its consumer is there.
    func exists(_ name: String) -> Bool {
        name == Self.pseudoQueue || (name.hasPrefix(Self.prefix) && channels[String(name.dropFirst(Self.prefix.count))] != nil)
    }

    /// Whether a published message asks for a direct reply.
    static func needsRewrite(_ header: ContentHeader) throws(AMQPError) -> Bool {
        // Cheap test first: the property bytes must contain the pseudo-queue name at all.
        guard header.propertyBytes.readableBytesView.count >= pseudoQueue.utf8.count,
              header.propertyBytes.readableBytesView.firstRange(of: pseudoQueue.utf8) != nil
        else { return false }
        return (try? header.properties())?.replyTo == pseudoQueue
    }

    /// Replaces `reply_to` with the channel's own reply name (406 when it has no reply consumer).
    func rewriteReplyTo(_ header: ContentHeader, for channel: BrokerChannel) throws(AMQPError) -> ContentHeader {
        guard let suffix = channel.replyToSuffix else {
            throw AMQPError(.preconditionFailed, "fast reply consumer does not exist")
        }
        var properties = (try? header.properties()) ?? BasicProperties()
        properties.replyTo = Self.prefix + suffix
        return ContentHeader(classID: header.classID, bodySize: header.bodySize, properties: properties)
    }

    /// Delivers a reply addressed to a reply name; false when no such reply consumer exists, or
    /// when its connection takes no more (outbound credit spent: it stopped reading). With no
    /// queue to wait in, such a reply is unroutable (returned when mandatory), so a stalled
    /// requester cannot make the broker buffer replies without end.
    /// A reply name works only within the vhost of the channel that owns it.
    func deliver(_ message: Message, in vhost: VirtualHost) -> Bool {
        guard message.routingKey.hasPrefix(Self.prefix) else { return false }
        let suffix = String(message.routingKey.dropFirst(Self.prefix.count))
        guard let channel = channels[suffix], channel.session.vhost === vhost, let tag = channel.replyToConsumerTag,
              channel.session.canTakeDeliveries else { return false }
        channel.deliverReply(message, consumerTag: tag)
        return true
    }
}
