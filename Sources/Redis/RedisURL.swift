/// `redis://[:password@]host[:port][/db]`, as redis-cli and client libraries take it.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    public var password: String?

    public init(host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
    }

    /// Parses the URL; nil when it is not a redis:// URL with a valid port and database.
    public init?(_ text: String) {
        guard text.hasPrefix("redis://") else { return nil }
        var rest = Substring(text.dropFirst("redis://".count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else { return nil }
                database = number
            }
            rest = rest[..<slash]
        }
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            password = String(credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).last ?? "")
            if password?.isEmpty == true { password = nil }
            rest = rest[rest.index(after: at)...]
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            host = String(rest[..<colon])
        }
        self.init(host: host.isEmpty ? "127.0.0.1" : host, port: port, database: database, password: password)
    }

    public var description: String { "redis://\(host):\(port)/\(database)" }
}
