import Foundation

/// An `amqp://user:pass@host:port/vhost` address, parsed as RabbitMQ's URI spec says
/// (a vhost of `%2F` is `/`; no path means `/`).
public struct AMQPURL: Sendable, Equatable, CustomStringConvertible {
    public var user = "guest"
    public var password = "guest"
    public var host = "127.0.0.1"
    public var port = 5672
    public var vhost = "/"

    public init() {}

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), components.scheme == "amqp" else {
            throw AMQPClientError.invalidURL(text)
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
    }

    /// The URL without the password.
    public var description: String {
        let encodedVhost = vhost == "/" ? "%2F" : (vhost.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? vhost)
        return "amqp://\(user)@\(host):\(port)/\(encodedVhost)"
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
        case .invalidURL(let text): "invalid AMQP URL '\(text)' (expected amqp://user:pass@host:port/vhost)"
        case .closed(let code, let text): "server closed: \(code) \(text)"
        case .connectionLost: "connection lost"
        case .unexpected(let what): "unexpected from server: \(what)"
        }
    }
}
