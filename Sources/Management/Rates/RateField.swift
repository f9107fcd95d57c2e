import Broker

/// The values sampled for each object, with RabbitMQ's names: message counters (`message_stats`)
/// and queue lengths (`messages`, `messages_ready`, `messages_unacknowledged`).
enum RateField: Int, CaseIterable {
    case publish, deliverGet, redeliver, ack, returnUnroutable, confirm, publishIn, publishOut
    case messages, messagesReady, messagesUnacknowledged

    var name: String {
        switch self {
        case .publish: "publish"
        case .deliverGet: "deliver_get"
        case .redeliver: "redeliver"
        case .ack: "ack"
        case .returnUnroutable: "return_unroutable"
        case .confirm: "confirm"
        case .publishIn: "publish_in"
        case .publishOut: "publish_out"
        case .messages: "messages"
        case .messagesReady: "messages_ready"
        case .messagesUnacknowledged: "messages_unacknowledged"
        }
    }

    /// The `message_stats` of each kind of object, as RabbitMQ 3.10 names them (those warren counts).
    static let queueCounters: [RateField] = [.publish, .deliverGet, .redeliver, .ack]
    static let channelCounters: [RateField] = [.publish, .deliverGet, .redeliver, .ack, .confirm, .returnUnroutable]
    static let exchangeCounters: [RateField] = [.publishIn, .publishOut]
    static let lengths: [RateField] = [.messages, .messagesReady, .messagesUnacknowledged]

    /// The values of one sample, in `allCases` order.
    static func values(_ counts: MessageCounts, ready: Int = 0, unacknowledged: Int = 0) -> [Int] {
        [counts.published, counts.delivered, counts.redelivered, counts.acknowledged, counts.returned, counts.confirmed, 0, 0,
         ready + unacknowledged, ready, unacknowledged]
    }

    /// An exchange's values: only `publish_in` and `publish_out` are counted.
    static func values(publishedIn: Int, publishedOut: Int) -> [Int] {
        var values = Array(repeating: 0, count: allCases.count)
        values[publishIn.rawValue] = publishedIn
        values[publishOut.rawValue] = publishedOut
        return values
    }
}
