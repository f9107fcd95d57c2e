import Foundation

/// An `amqp://user:pass@host:port/vhost` or `amqps://…` address, parsed as RabbitMQ's URI spec says
/// (a vhost of `%2F` is `/`; no path means `/`), with the TLS query parameters of RabbitMQ's URI
/// query parameter spec: `cacertfile`, `certfile`, `keyfile`, `verify`, `server_name_indication`,
/// and `auth_mechanism=external` to log in with the client certificate.
public struct AMQPURL: Sendable, Equatable, CustomStringConvertible {
    public var user = "guest"
    public var password = "guest"
    public var host = "127.0.0.1"
    public var port = 5672
    public var vhost = "/"
    /// Set for `amqps://`.
    public var tls: AMQPClientTLS?
    /// `PLAIN` (user and password) or `EXTERNAL` (the client certificate names the user).
    public var authMechanism = "PLAIN"

    public init() {}

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["amqp", "amqps"].contains(scheme)
        else {
            throw AMQPClientError.invalidURL(text)
        }
        if scheme == "amqps" {
            tls = AMQPClientTLS()
            port = 5671
        }
        if let user = components.user { self.user = user.removingPercentEncoding ?? user }
        if let password = components.password { self.password = password.removingPercentEncoding ?? password }
        if let host = components.host, !host.isEmpty { self.host = host }
        if let port = components.port { self.port = port }
        let path = components.percentEncodedPath
        if !path.isEmpty {
            let encoded = String(path.dropFirst())
            vhost = encoded.isEmpty ? "/" : (encoded.removingPercentEncoding ?? encoded)
        }
        for item in components.queryItems ?? [] {
            try apply(item.name, item.value ?? "", in: text)
        }
    }

    private mutating func apply(_ name: String, _ value: String, in text: String) throws {
        switch name {
        case "auth_mechanism":
            guard ["plain", "external"].contains(value.lowercased()) else { throw AMQPClientError.invalidURL(text) }
            authMechanism = value.uppercased()
        case "cacertfile", "certfile", "keyfile", "verify", "server_name_indication":
            guard tls != nil, tls?.apply(name, value) == true else { throw AMQPClientError.invalidURL(text) }
        default:
            return  // RabbitMQ's other parameters (heartbeat, channel_max, …) are not used here
        }
    }

    /// The URL without the password and query.
    public var description: String {
        let encodedVhost = vhost == "/" ? "%2F" : (vhost.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? vhost)
        return "\(tls == nil ? "amqp" : "amqps")://\(user)@\(host):\(port)/\(encodedVhost)"
    }
}

/// Errors the client reports.
public enum AMQPClientError: Error, CustomStringConvertible, Equatable {
    case invalidURL(String)
    /// The server closed the connection or a channel with this code and text.
    case closed(code: UInt16, text: String)
    /// The connection went away without connection.close.
    case connectionLost
    /// The server sent something the client did not expect.
    case unexpected(String)

    public var description: String {
        switch self {
        case .invalidURL(let text): "invalid AMQP URL '\(text)' (expected amqp[s]://user:pass@host:port/vhost[?cacertfile=…&certfile=…&keyfile=…])"
        case .closed(let code, let text): "server closed: \(code) \(text)"
        case .connectionLost: "connection lost"
        case .unexpected(let what): "unexpected from server: \(what)"
        }
    }
}
