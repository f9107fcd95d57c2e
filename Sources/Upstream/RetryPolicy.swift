/// What the forwarder does with a message the upstream refused (basic.nack or basic.return): publish
/// it again, on a new channel, after a delay that doubles with each refusal of that message (from
/// `reconnect-min-ms` up to `reconnect-max-ms`, equal jitter), or dead-letter it once it was refused
/// `maxRetries + 1` times. A channel RabbitMQ opened during a quorum queue's leader election nacks
/// every publish for as long as it lives, so a retry on the same channel at once would fail again.
/// Pure; the caller supplies randomness.
public struct RetryPolicy: Sendable {
    /// The decision for one refused message.
    public enum Decision: Equatable, Sendable {
        case retry(afterMilliseconds: Int)
        case deadLetter
    }

    public let maxRetries: Int
    private let backoff: ReconnectBackoff

    public init(maxRetries: Int, minimumMilliseconds: Int, maximumMilliseconds: Int) {
        self.maxRetries = max(0, maxRetries)
        backoff = ReconnectBackoff(minimumMilliseconds: minimumMilliseconds, maximumMilliseconds: maximumMilliseconds)
    }

    public init(_ configuration: UpstreamConfiguration) {
        self.init(maxRetries: configuration.maxRetries, minimumMilliseconds: configuration.reconnectMinMilliseconds,
                  maximumMilliseconds: configuration.reconnectMaxMilliseconds)
    }

    /// The decision after a message's `failures`-th refusal (1 for the first); `random` is in 0..<1.
    public func decide(failures: Int, random: Double) -> Decision {
        let refusals = max(failures, 1)
        guard refusals <= maxRetries else { return .deadLetter }
        return .retry(afterMilliseconds: ReconnectBackoff.jittered(ceiling: backoff.ceiling(step: refusals - 1), random: random))
    }

    /// The longest a message can wait across all its retries before it is dead-lettered (every
    /// delay at its ceiling; jitter makes the shortest half of it), saturating instead of trapping.
    public var longestWaitMilliseconds: Int {
        var total = 0
        for step in 0..<min(maxRetries, 64) {
            let (sum, overflow) = total.addingReportingOverflow(backoff.ceiling(step: step))
            if overflow { return Int.max }
            total = sum
        }
        guard maxRetries > 64 else { return total }
        let (rest, overflow) = backoff.ceiling(step: 64).multipliedReportingOverflow(by: maxRetries - 64)
        let (sum, overflowSum) = total.addingReportingOverflow(rest)
        return overflow || overflowSum ? Int.max : sum
    }
}
