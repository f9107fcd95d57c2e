import Broker

/// The values sampled for each object, with RabbitMQ's names: message counters (`message_stats`)
/// and queue lengths (`messages`, `messages_ready`, `messages_unacknowledged`).
enum RateField: Int, CaseIterable {
    case publish, deliverGet, redeliver, ack, returnUnroutable
    case messages, messagesReady, messagesUnacknowledged

    var name: String {
        switch self {
        case .publish: "publish"
        case .deliverGet: "deliver_get"
        case .redeliver: "redeliver"
        case .ack: "ack"
        case .returnUnroutable: "return_unroutable"
        case .messages: "messages"
        case .messagesReady: "messages_ready"
        case .messagesUnacknowledged: "messages_unacknowledged"
        }
    }

    static let counters: [RateField] = [.publish, .deliverGet, .redeliver, .ack, .returnUnroutable]
    static let lengths: [RateField] = [.messages, .messagesReady, .messagesUnacknowledged]

    /// The values of one sample, in `allCases` order.
    static func values(_ counts: MessageCounts, ready: Int, unacknowledged: Int) -> [Int] {
        [counts.published, counts.delivered, counts.redelivered, counts.acknowledged, counts.returned,
         ready + unacknowledged, ready, unacknowledged]
    }
}
