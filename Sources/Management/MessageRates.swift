import Broker
import NIOConcurrencyHelpers
import NIOCore

/// `message_stats` as RabbitMQ's API shows it: totals with a `*_details.rate` per second, the rate
/// measured against the previous time the same object was asked for.
final class MessageRates: Sendable {
    private let previous = NIOLockedValueBox<[String: (time: NIODeadline, counts: MessageCounts)]>([:])

    func stats(_ counts: MessageCounts, key: String) -> [String: Any] {
        let now = NIODeadline.now()
        let before = previous.withLockedValue { samples in
            defer { samples[key] = (now, counts) }
            return samples[key]
        }
        let seconds = before.map { Double((now - $0.time).nanoseconds) / 1e9 } ?? 0
        func entry(_ name: String, _ value: Int, _ old: Int?) -> [String: Any] {
            let rate = seconds > 0 ? Double(value - (old ?? value)) / seconds : 0
            return [name: value, "\(name)_details": ["rate": (rate * 10).rounded() / 10]]
        }
        let old = before?.counts
        return [entry("publish", counts.published, old?.published), entry("deliver_get", counts.delivered, old?.delivered),
                entry("redeliver", counts.redelivered, old?.redelivered), entry("ack", counts.acknowledged, old?.acknowledged),
                entry("return_unroutable", counts.returned, old?.returned)]
            .reduce(into: [String: Any]()) { result, part in result.merge(part) { first, _ in first } }
    }
}
