import AMQPClient
import Foundation

/// Publishes batches with publisher confirms and does not return until the broker has acked every
/// message: a failed connection is reopened and nacked messages are sent again, with exponential
/// backoff (0.2 s doubling to 30 s). Only cancellation (a stop signal) ends it early, by throwing;
/// messages not yet acked then are simply not committed, and sent again after a restart.
///
/// One batch at a time: each follower owns its publisher (and connection).
final class ReliablePublisher {
    private let url: AMQPURL
    private let exchange: String
    private var connection: AMQPClientConnection?
    private var channel: ConfirmedPublishChannel?

    init(url: AMQPURL, exchange: String) {
        self.url = url
        self.exchange = exchange
    }

    func publish(_ messages: [LocalMessage]) async throws {
        var remaining = messages.map {
            OutgoingMessage(exchange: exchange, routingKey: $0.routingKey, properties: $0.properties, body: $0.body)
        }
        var delay = Duration.milliseconds(200)
        while !remaining.isEmpty {
            do {
                let acks = try await openChannel().publish(remaining)
                remaining = zip(remaining, acks).filter { !$0.1 }.map(\.0)
                if remaining.isEmpty { return }
                ShipLog.warning("the broker refused \(remaining.count) line(s) (basic.nack); sending them again in \(delay)")
            } catch {
                ShipLog.warning("cannot publish to \(url): \(error); retrying in \(delay)")
                await close()
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
    }

    func close() async {
        await connection?.close()
        connection = nil
        channel = nil
    }

    private func openChannel() async throws -> ConfirmedPublishChannel {
        if let channel { return channel }
        let connection = try await AMQPClientConnection.connect(to: url)
        self.connection = connection
        let channel = try await ConfirmedPublishChannel.open(on: connection)
        self.channel = channel
        return channel
    }
}

/// `warren ship`'s diagnostics, on stderr.
enum ShipLog {
    static func warning(_ text: String) {
        FileHandle.standardError.write(Data("ship: \(text)\n".utf8))
    }
}
