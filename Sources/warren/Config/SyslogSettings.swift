import NIOCore
import Syslog
import TLS

extension ConfigFile {
    /// `[syslog]`: the default UDP+TCP pair's port, where entries go and how, and extra listeners.
    struct SyslogSection: Decodable, Equatable {
        var port: Int?
        var exchange: String?
        var bodyFormat: String?
        var maxMessageSize: Int?
        var maxConnections: Int?
        var partialFrameTimeout: Int?
        var listeners: [SyslogListenerEntry]?
        /// The certificate and key of every `protocol = "tls"` listener.
        var tls: TLSSection?

        enum CodingKeys: String, CodingKey {
            case port, exchange, listeners, tls
            case bodyFormat = "body_format"
            case maxMessageSize = "max_message_size"
            case maxConnections = "max_connections"
            case partialFrameTimeout = "partial_frame_timeout"
        }
    }

    /// One `[[syslog.listeners]]` table (`port` defaults to 6514 for "tls" and is required otherwise).
    struct SyslogListenerEntry: Decodable, Equatable {
        var `protocol`: String
        var bind: String?
        var port: Int?
    }
}

/// The syslog collector's settings beyond the default port: extra listeners, body format, frame limit,
/// TCP connections per listener and how long a partial frame may wait.
struct SyslogSettings: Equatable {
    /// One extra listener: UDP, TCP or TLS over TCP (RFC 5425) on an address (nil: the top-level `bind`) and port.
    struct Listener: Equatable {
        enum Transport: String, CaseIterable {
            case udp, tcp, tls
        }

        var transport: Transport
        var host: String?
        var port: Int
    }

    var listeners: [Listener] = []
    /// `[syslog.tls]`: what the "tls" listeners present; required when there is one.
    var tls: TLSSettings?
    var bodyFormat = SyslogListenerConfiguration.BodyFormat.json
    var maxMessageSize = 65536
    static let maxMessageSizeRange = 480...16 * 1024 * 1024
    /// `syslog.max_connections`: TCP connections open at once per TCP listener.
    var maxConnections = 512
    /// `syslog.partial_frame_timeout` in milliseconds.
    var partialFrameTimeoutMilliseconds = 30000

    mutating func apply(_ section: ConfigFile.SyslogSection?) throws {
        guard let section else { return }
        if let format = section.bodyFormat {
            guard let parsed = SyslogListenerConfiguration.BodyFormat(rawValue: format) else {
                throw ConfigError("syslog.body_format must be \"json\" or \"raw\", got \"\(format)\"")
            }
            bodyFormat = parsed
        }
        if let size = section.maxMessageSize {
            guard Self.maxMessageSizeRange.contains(size) else {
                throw ConfigError("syslog.max_message_size must be between \(Self.maxMessageSizeRange.lowerBound) and "
                                  + "\(Self.maxMessageSizeRange.upperBound), got \(size)")
            }
            maxMessageSize = size
        }
        if let value = section.maxConnections {
            maxConnections = try ServeSettings.ranged(value, 1...1_000_000, key: "syslog.max_connections")
        }
        if let value = section.partialFrameTimeout {
            partialFrameTimeoutMilliseconds = try ServeSettings.ranged(value, 1...86_400_000, key: "syslog.partial_frame_timeout")
        }
        for (index, entry) in (section.listeners ?? []).enumerated() {
            let key = "syslog.listeners[\(index)]"
            guard let transport = Listener.Transport(rawValue: entry.protocol) else {
                throw ConfigError("\(key).protocol must be \"udp\", \"tcp\" or \"tls\", got \"\(entry.protocol)\"")
            }
            guard let port = entry.port ?? (transport == .tls ? 6514 : nil) else {
                throw ConfigError("\(key).port is required for protocol \"\(entry.protocol)\"")
            }
            guard (1...65535).contains(port) else {
                throw ConfigError("\(key).port must be between 1 and 65535, got \(port)")
            }
            listeners.append(Listener(transport: transport, host: entry.bind, port: port))
        }
        try section.tls?.refuseUnused(section: "syslog.tls", portUsed: false)
        if listeners.contains(where: { $0.transport == .tls }) {
            guard let section = section.tls else {
                throw ConfigError("syslog: a listener with protocol \"tls\" needs [syslog.tls] (certificate_chain_file, private_key_file)")
            }
            tls = try section.settings(section: "syslog.tls")
        }
    }
}

extension ServeSettings {
    /// The default UDP+TCP pair on `bind` (unless its port is 0) and every configured listener;
    /// "tls" listeners present `tls` (loaded from `[syslog.tls]`).
    func syslogListenerConfigurations(tls: ServerTLS?) -> [SyslogListenerConfiguration] {
        var result: [SyslogListenerConfiguration] = []
        if syslogPort != 0 {
            result.append(configuration(host: bind, udpPort: syslogPort, tcpPort: syslogPort))
        }
        for listener in syslog.listeners {
            let udp = listener.transport == .udp
            var entry = configuration(host: listener.host ?? bind, udpPort: udp ? listener.port : 0, tcpPort: udp ? 0 : listener.port)
            entry.tls = listener.transport == .tls ? tls : nil
            result.append(entry)
        }
        return result
    }

    private func configuration(host: String, udpPort: Int, tcpPort: Int) -> SyslogListenerConfiguration {
        SyslogListenerConfiguration(host: host, udpPort: udpPort, tcpPort: tcpPort, maxMessageSize: syslog.maxMessageSize,
                                    maxConnections: syslog.maxConnections,
                                    partialFrameTimeout: .milliseconds(Int64(syslog.partialFrameTimeoutMilliseconds)),
                                    exchange: logExchange, bodyFormat: syslog.bodyFormat)
    }
}
