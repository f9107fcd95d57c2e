import AMQPClient
import AMQPWire
import NIOCore
import Redis

/// What every scenario works against: a scratch Redis (no persistence), warren's broker, and a
/// temp directory for the servers a scenario starts itself.
struct CompareContext {
    let redis: RedisURL
    let amqp: AMQPURL
    let directory: String
    let count: Int
    /// Names are unique per run so a given server can be reused safely.
    let prefix: String

    func connect() async throws -> AMQPClientConnection {
        try await AMQPClientConnection.connect(to: amqp)
    }

    func redisClient() -> RedisClient { RedisClient(url: redis) }

    func key(_ name: String) -> String { "\(prefix).\(name)" }

    /// Declares a fresh queue (deleted first) and returns its name.
    func freshQueue(_ name: String, on channel: AMQPClientChannel, durable: Bool = false) async throws -> String {
        let queue = key(name)
        _ = try await channel.call(.queueDelete(QueueDelete(queue: queue)))
        _ = try await channel.call(.queueDeclare(QueueDeclare(queue: queue, durable: durable)))
        return queue
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}
