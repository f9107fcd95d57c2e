/// What `/api/upstreams` and `warren upstreams` say of one upstream.
public struct UpstreamStatus: Sendable, Equatable, Encodable {
    /// `connecting` (trying nodes), `running`, `blocked` (the upstream sent connection.blocked) or
    /// `down` (every node failed; waiting to try again).
    public enum State: String, Sendable, Encodable {
        case connecting, running, blocked, down
    }

    public var name: String
    public var state = State.connecting
    /// `host:port` of the connected node; nil when none is.
    public var node: String?
    /// Messages in the local queue (ready and in flight).
    public var backlog = 0
    /// Messages the upstream confirmed, in total.
    public var forwarded = 0
    public var confirmsOutstanding = 0
    /// Confirmed messages per second over the last sampling interval.
    public var rate = 0.0
    public var retried = 0
    public var deadLettered = 0
    public var failovers = 0
    public var lastError: String?
    /// ISO 8601 time of `lastError`.
    public var lastErrorAt: String?

    public init(name: String) {
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case name, state, node, backlog, forwarded, rate, retried, failovers
        case confirmsOutstanding = "confirms_outstanding"
        case deadLettered = "dead_lettered"
        case lastError = "last_error"
        case lastErrorAt = "last_error_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(state, forKey: .state)
        try container.encode(node, forKey: .node)
        try container.encode(backlog, forKey: .backlog)
        try container.encode(forwarded, forKey: .forwarded)
        try container.encode(confirmsOutstanding, forKey: .confirmsOutstanding)
        try container.encode(rate, forKey: .rate)
        try container.encode(retried, forKey: .retried)
        try container.encode(deadLettered, forKey: .deadLettered)
        try container.encode(failovers, forKey: .failovers)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(lastErrorAt, forKey: .lastErrorAt)
    }
}
