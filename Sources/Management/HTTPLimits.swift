/// What HTTP clients may make the management listener hold: request body bytes, connections at
/// once, and how long an idle connection stays open (Docs/limits.md, "Management HTTP").
public struct HTTPLimits: Sendable, Equatable {
    /// `http.max_body_size`: bytes of one request body (RabbitMQ's `management.http.max_body_size`).
    public var maxBodySize: Int
    /// `http.max_connections`: connections open at once; further ones wait in the accept backlog.
    public var maxConnections: Int
    /// `http.idle_timeout` in milliseconds (RabbitMQ's `management.tcp.idle_timeout`).
    public var idleTimeoutMilliseconds: Int

    /// RabbitMQ's body limit (20,000,000 bytes) and idle timeout (120 s); 1024 connections.
    public static let defaults = HTTPLimits(maxBodySize: 20_000_000, maxConnections: 1024, idleTimeoutMilliseconds: 120_000)

    public init(maxBodySize: Int, maxConnections: Int, idleTimeoutMilliseconds: Int) {
        self.maxBodySize = maxBodySize
        self.maxConnections = maxConnections
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
    }
}
