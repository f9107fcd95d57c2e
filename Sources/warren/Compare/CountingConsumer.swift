import AMQPClient
import AMQPWire
import NIOConcurrencyHelpers

/// An AMQP consumer that acks what it receives and lets the caller wait, on the deliveries
/// themselves, until it has `target` messages or `timeout` has passed.
final class CountingConsumer: Sendable {
    private let bodies = NIOLockedValueBox<[String]>([])
    private let arrivals = Arrivals()

    /// Starts consuming `queue` on `channel` with manual acks and the given prefetch.
    func start(queue: String, on channel: AMQPClientChannel, prefetch: UInt16 = 100, arguments: FieldTable = [:]) async throws {
        try await channel.call(.basicQos(BasicQos(prefetchCount: prefetch)))
        try await channel.consume(queue: queue, noAck: false, arguments: arguments) { [bodies, arrivals] delivery in
            let count = bodies.withLockedValue {
                $0.append(String(buffer: delivery.body))
                return $0.count
            }
            arrivals.signal(count)
            Task { try? await channel.ack(delivery.deliveryTag) }
        }
    }

    /// The bodies received so far, once `target` arrived or `timeout` passed.
    func wait(for target: Int, timeout: Duration = .seconds(10)) async -> [String] {
        await arrivals.wait(for: target, current: bodies.withLockedValue { $0.count }, timeout: timeout)
        return bodies.withLockedValue { $0 }
    }
}
