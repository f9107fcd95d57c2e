import AMQPClient

/// One upstream (`[[upstreams]]` in the config file, `--upstream` on the command line): the
/// RabbitMQ nodes to forward to, what to forward, and how hard to try.
public struct UpstreamConfiguration: Sendable, Equatable {
    /// Names the local queue `warren.upstream.<name>` and the `upstream` metric label.
    public var name: String
    /// The cluster's nodes, tried in turn.
    public var nodes: [AMQPURL]
    /// The local exchange forwarded from, and the binding patterns on it.
    public var exchange = "topic_logs"
    public var patterns = ["#"]
    /// The exchange published to on the upstream (topic, durable, declared if missing).
    public var upstreamExchange: String
    /// A queue declared on the upstream and bound with `patterns`; nil declares none.
    public var upstreamQueue: String?
    /// The `x-queue-type` of `upstreamQueue`.
    public var upstreamQueueType = "quorum"
    /// Messages published and not yet confirmed, at most (the local consumer's prefetch).
    public var window = 1000
    /// Failed publishes (nack, basic.return) of one message retried before it is dead-lettered, each
    /// on a new channel after a doubling delay (`RetryPolicy`): the default 5 wait at most
    /// 0.5+1+2+4+8 = 15.5 s in all (at least half of it), past a quorum queue's leader election.
    public var maxRetries = 5
    /// Reconnect delay: doubles from `min` to `max` after each failed round over the nodes, with jitter.
    public var reconnectMinMilliseconds = 500
    public var reconnectMaxMilliseconds = 30_000
    /// The local vhost of the exchange and queues.
    public var vhost = "/"

    public static let windowRange = 1...65535
    public static let retriesRange = 0...1_000_000
    public static let reconnectRange = 1...3_600_000

    public init(name: String, nodes: [AMQPURL]) {
        self.name = name
        self.nodes = nodes
        upstreamExchange = exchange
    }

    /// The local durable queue the forwarder consumes.
    public var queueName: String { "warren.upstream.\(name)" }
    /// Where messages that failed `maxRetries` times go, with the reason in `x-warren-upstream-error`.
    public var deadLetterQueueName: String { "warren.upstream.\(name).dead" }

    /// Checks every value; the error names the key (`section` prefixes it, e.g. `upstreams[0]`).
    public func validate(section: String) throws(UpstreamConfigError) {
        guard !name.isEmpty, name.utf8.count <= 200, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw UpstreamConfigError("\(section).name must be 1 to 200 letters, digits, '-', '_' or '.', got '\(name.prefix(200))'")
        }
        guard !nodes.isEmpty else { throw UpstreamConfigError("\(section).uris must name at least one node") }
        guard !exchange.isEmpty, exchange.utf8.count <= 255 else {
            throw UpstreamConfigError("\(section).exchange must be 1 to 255 bytes")
        }
        guard !patterns.isEmpty, patterns.count <= 1000, patterns.allSatisfy({ $0.utf8.count <= 255 }) else {
            throw UpstreamConfigError("\(section).patterns must hold 1 to 1000 binding keys of at most 255 bytes")
        }
        guard !upstreamExchange.isEmpty, upstreamExchange.utf8.count <= 255 else {
            throw UpstreamConfigError("\(section).upstream-exchange must be 1 to 255 bytes")
        }
        if let upstreamQueue, upstreamQueue.isEmpty || upstreamQueue.utf8.count > 255 {
            throw UpstreamConfigError("\(section).upstream-queue must be 1 to 255 bytes")
        }
        guard ["quorum", "classic", "stream"].contains(upstreamQueueType) else {
            throw UpstreamConfigError("\(section).upstream-queue-type must be quorum, classic or stream, got '\(upstreamQueueType.prefix(100))'")
        }
        try Self.check(window, Self.windowRange, key: "\(section).window")
        try Self.check(maxRetries, Self.retriesRange, key: "\(section).max-retries")
        try Self.check(reconnectMinMilliseconds, Self.reconnectRange, key: "\(section).reconnect-min-ms")
        try Self.check(reconnectMaxMilliseconds, Self.reconnectRange, key: "\(section).reconnect-max-ms")
        guard reconnectMinMilliseconds <= reconnectMaxMilliseconds else {
            throw UpstreamConfigError("\(section).reconnect-min-ms (\(reconnectMinMilliseconds)) must not exceed reconnect-max-ms (\(reconnectMaxMilliseconds))")
        }
    }

    private static func check(_ value: Int, _ range: ClosedRange<Int>, key: String) throws(UpstreamConfigError) {
        guard range.contains(value) else {
            throw UpstreamConfigError("\(key) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }

    /// The names for `count` `--upstream` flags: `default`, then `default-2`, `default-3`, ….
    public static func commandLineNames(count: Int) -> [String] {
        (0..<max(0, count)).map { $0 == 0 ? "default" : "default-\($0 + 1)" }
    }
}
