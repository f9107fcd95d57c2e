import Logging
import Metrics
import Redis

/// Writes batches to Redis until Redis has them, reconnecting with backoff. A batch whose reply
/// was lost is not written twice: before retrying, the writer asks Redis which batch it applied
/// last (`warren:bridge:applied`), which the batch's own transaction sets.
struct BatchWriter {
    let redis: RedisClient
    let logger: Logger
    let instance: String
    let recentLimit: Int
    let errors: Counter
    private var sequence: UInt64 = 0
    private var connected = true

    init(redis: RedisClient, logger: Logger, instance: String, recentLimit: Int, errors: Counter) {
        self.redis = redis
        self.logger = logger
        self.instance = instance
        self.recentLimit = recentLimit
        self.errors = errors
    }

    static let firstBackoff: Duration = .milliseconds(100)
    static let maxBackoff: Duration = .seconds(5)

    /// Returns once Redis has applied the batch (true), or when the task is cancelled (false).
    mutating func write(_ entries: [BridgeEntry]) async -> Bool {
        sequence += 1
        let batchID = "\(instance):\(sequence)"
        let commands = BridgeCommands.transaction(for: entries, batchID: batchID, recentLimit: recentLimit)
        var backoff = Self.firstBackoff
        var retrying = false
        while !Task.isCancelled {
            do {
                if retrying, try await redis.command("GET", BridgeCommands.appliedBatchKey).string == batchID {
                    noteConnected()
                    return true  // applied before the connection broke: do not count it twice
                }
                let replies = try await redis.pipeline(commands)
                guard case .array = replies.last else {
                    throw RedisError.server("transaction not applied: \(replies.last.map { "\($0)" } ?? "no reply")")
                }
                noteConnected()
                return true
            } catch {
                errors.increment()
                if connected {
                    logger.warning("redis bridge: \(error); entries wait in the queue, retrying")
                    connected = false
                }
                retrying = true
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, Self.maxBackoff)
            }
        }
        return false
    }

    private mutating func noteConnected() {
        if !connected { logger.info("redis bridge: connected to \(redis.url) again, catching up") }
        connected = true
    }
}
