import AMQPClient
import AMQPWire
import NIOCore
import Redis

/// What every scenario works against: a Redis, an AMQP broker, a temp directory for the servers a
/// scenario starts itself, the run's sizes and where progress goes.
struct CompareContext: Sendable {
    let redis: RedisURL
    let amqp: AMQPURL
    let directory: String
    let options: CompareOptions
    /// Names are unique per run so a given server can be reused safely.
    let prefix: String
    let progress: @Sendable (String) -> Void

    var count: Int { options.count }

    func connect() async throws -> AMQPClientConnection {
        try await AMQPClientConnection.connect(to: amqp)
    }

    func redisClient() -> RedisClient { RedisClient(url: redis, timeoutMilliseconds: 10_000) }

    func key(_ name: String) -> String { "\(prefix).\(name)" }

    /// Declares a fresh queue (deleted first) and returns its name.
    func freshQueue(_ name: String, on channel: AMQPClientChannel, durable: Bool = false, arguments: FieldTable = [:]) async throws -> String {
        let queue = key(name)
        _ = try await channel.call(.queueDelete(QueueDelete(queue: queue)))
        _ = try await channel.call(.queueDeclare(QueueDeclare(queue: queue, durable: durable, arguments: arguments)))
        return queue
    }

    /// Publishes the bodies to `exchange` with `routingKey` on a confirming channel; throws when one is nacked.
    func publishConfirmed(_ bodies: [String], exchange: String = "", routingKey: String, on connection: AMQPClientConnection,
                          persistent: Bool = false) async throws {
        let publisher = try await ConfirmedPublishChannel.open(on: connection)
        let properties = persistent ? BasicProperties(deliveryMode: 2) : BasicProperties()
        let acks = try await publisher.publish(bodies.map {
            OutgoingMessage(exchange: exchange, routingKey: routingKey, properties: properties, body: ByteBuffer(string: $0))
        })
        guard acks.allSatisfy({ $0 }) else { throw CompareError("the broker nacked a publish") }
    }

    /// Deletes the keys first, so a reused Redis starts each scenario clean.
    func freshKeys(_ names: String..., on client: RedisClient) async throws -> [String] {
        let keys = names.map(key)
        try await client.command(["DEL"] + keys)
        return keys
    }
}
