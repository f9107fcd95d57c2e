import NIOCore
import TLS

/// Where the syslog listeners bind and where collected entries go.
public struct SyslogListenerConfiguration: Sendable {
    /// How an entry becomes an AMQP message body.
    public enum BodyFormat: String, Sendable {
        /// JSON with the parsed fields (content type application/json).
        case json
        /// The original frame as text (content type text/plain).
        case raw
    }

    public var host: String
    /// UDP and TCP ports; 0 disables that one.
    public var udpPort: Int
    public var tcpPort: Int
    public var maxMessageSize: Int
    /// TCP connections open at once on this listener (`syslog.max_connections`).
    public var maxConnections: Int
    /// How long a TCP sender may hold a partial frame before its connection is closed
    /// (`syslog.partial_frame_timeout`).
    public var partialFrameTimeout: TimeAmount
    public var exchange: String
    public var vhost: String
    public var bodyFormat: BodyFormat
    /// Syslog over TLS (RFC 5425): the TCP side starts every connection with a TLS handshake.
    public var tls: ServerTLS?

    public init(host: String, udpPort: Int, tcpPort: Int, maxMessageSize: Int = 65536, maxConnections: Int = 512,
                partialFrameTimeout: TimeAmount = .seconds(30),
                exchange: String = "topic_logs", vhost: String = "/", bodyFormat: BodyFormat = .json) {
        self.host = host
        self.udpPort = udpPort
        self.tcpPort = tcpPort
        self.maxMessageSize = maxMessageSize
        self.maxConnections = maxConnections
        self.partialFrameTimeout = partialFrameTimeout
        self.exchange = exchange
        self.vhost = vhost
        self.bodyFormat = bodyFormat
    }

    /// `tcp` or, with TLS, `tls`: the TCP side's name in logs and counters.
    public var streamProtocol: String { tls == nil ? "tcp" : "tls" }

    /// `udp://127.0.0.1:5514`, `tcp://[::1]:5514`, `tls://127.0.0.1:6514`: the `listener` dimension of the counters.
    public func listenerName(protocol name: String, port: Int) -> String {
        "\(name)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}
