import AMQPWire
import Broker
import NIOCore

/// Moves messages that failed upstream into the local dead-letter queue, on an in-process channel
/// in confirm mode: the original delivery is acked only once the broker confirmed the copy (for a
/// persistent copy, once it is on disk). A copy the broker returned (someone deleted the queue) is
/// sent again after the queue is declared again; a nacked copy leaves the original unacked, so it
/// is requeued and forwarded again when the session ends.
struct LocalDeadLetters {
    private struct Pending {
        let localTag: UInt64
        let publish: BrokerCommand
    }

    let channel: UInt16
    /// The channel whose deliveries are acked.
    let ackChannel: UInt16
    let queue: String
    private var window: ConfirmWindow<Pending>

    init(channel: UInt16, ackChannel: UInt16, queue: String, capacity: Int) {
        self.channel = channel
        self.ackChannel = ackChannel
        self.queue = queue
        window = ConfirmWindow(capacity: capacity)
    }

    /// Opens the channel in confirm mode.
    var openCommands: [BrokerCommand] {
        [.channelOpened(channel), .method(channel, .confirmSelect(ConfirmSelect()))]
    }

    /// The publish of a copy of delivery `localTag` (mandatory, so a missing queue is noticed).
    mutating func send(localTag: UInt64, header: ContentHeader, body: ByteBuffer) -> [BrokerCommand] {
        let publish = BrokerCommand.publish(channel, BasicPublish(exchange: "", routingKey: queue, mandatory: true), header, body)
        window.published(Pending(localTag: localTag, publish: publish), routingKey: queue)
        return [publish]
    }

    /// What the broker's answer on the dead-letter channel leads to: commands to send and the number
    /// of copies the broker refused; nil when `item` is not for this channel.
    mutating func handle(_ item: Outbound) -> (commands: [BrokerCommand], refused: Int)? {
        switch item {
        case .method(channel, .basicAck(let ack)):
            return settle(window.confirm(ack.deliveryTag, multiple: ack.multiple, ack: true))
        case .method(channel, .basicNack(let nack)):
            return settle(window.confirm(nack.deliveryTag, multiple: nack.multiple, ack: false))
        case .content(channel, .basicReturn, _, _):
            window.returned(routingKey: queue)
            return ([], 0)
        case .method(channel, _), .content(channel, _, _, _):
            return ([], 0)
        default:
            return nil
        }
    }

    private mutating func settle(_ resolved: [(item: Pending, outcome: ConfirmWindow<Pending>.Outcome)]) -> ([BrokerCommand], Int) {
        var commands: [BrokerCommand] = []
        var refused = 0
        for (pending, outcome) in resolved {
            switch outcome {
            case .confirmed:
                commands.append(.method(ackChannel, .basicAck(BasicAck(deliveryTag: pending.localTag))))
            case .returned:
                commands.append(.method(channel, .queueDeclare(QueueDeclare(queue: queue, durable: true))))
                window.published(pending, routingKey: queue)
                commands.append(pending.publish)
            case .nacked:
                refused += 1
            }
        }
        return (commands, refused)
    }
}
