import ArgumentParser

/// Where the ingest benchmark sends syslog: `tcp://HOST:PORT` or `udp://HOST:PORT`.
struct SyslogTarget: Sendable, CustomStringConvertible {
    var udp: Bool
    var host: String
    var port: Int

    init(_ text: String) throws {
        let parts = text.split(separator: "://", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["tcp", "udp"].contains(parts[0]),
              let colon = parts[1].lastIndex(of: ":"), let port = Int(parts[1][parts[1].index(after: colon)...]),
              (1...65535).contains(port) else {
            throw ValidationError("--syslog must look like tcp://127.0.0.1:5514 or udp://127.0.0.1:5514, got '\(text)'")
        }
        udp = parts[0] == "udp"
        host = String(parts[1][..<colon])
        self.port = port
    }

    var description: String { "\(udp ? "udp" : "tcp")://\(host):\(port)" }
}
