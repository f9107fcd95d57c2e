import Redis

/// Settings of the Redis bridge (`[redis]` in the config file, `--redis` on the command line).
public struct RedisBridgeConfiguration: Sendable, Equatable {
    public var url: RedisURL
    /// Binding keys on the log exchange; `#` takes every entry.
    public var patterns: [String] = ["#"]
    /// Entries kept in each `warren:recent:*` list.
    public var recentLimit = 1000
    /// The bridge queue's cap (x-max-length); what overflows is parked in `warren.redis-bridge.parked`.
    public var maxBacklog: Int?
    /// Distinct hostnames given their own `warren:host:*` key; later ones share `warren:host:_other`.
    public var maxHosts = 10_000
    /// Distinct routing keys (and facilities, severities) given their own keys and hash fields;
    /// later ones share `_other`. Syslog itself produces at most 24 × 8.
    public var maxRoutingKeys = 1_000
    /// Deliveries in flight to Redis at once (the consumer's prefetch).
    public var batchLimit = 1000
    public var exchange = "topic_logs"
    public var vhost = "/"

    public static let queueName = "warren.redis-bridge"
    public static let parkedName = "warren.redis-bridge.parked"

    public init(url: RedisURL) {
        self.url = url
    }
}
