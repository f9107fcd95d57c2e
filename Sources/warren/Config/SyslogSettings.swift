import NIOCore
import Syslog

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

        enum CodingKeys: String, CodingKey {
            case port, exchange, listeners
            case bodyFormat = "body_format"
            case maxMessageSize = "max_message_size"
            case maxConnections = "max_connections"
            case partialFrameTimeout = "partial_frame_timeout"
        }
    }

    /// One `[[syslog.listeners]]` table.
    struct SyslogListenerEntry: Decodable, Equatable {
        var `protocol`: String
        var bind: String?
        var port: Int
    }
}

/// The syslog collector's settings beyond the default port: extra listeners, body format, frame limit,
/// TCP connections per listener and how long a partial frame may wait.
struct SyslogSettings: Equatable {
    /// One extra listener: UDP or TCP on an address (nil: the top-level `bind`) and port.
    struct Listener: Equatable {
        var udp: Bool
        var host: String?
        var port: Int
    }

    var listeners: [Listener] = []
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
            guard ["udp", "tcp"].contains(entry.protocol) else {
                throw ConfigError("\(key).protocol must be \"udp\" or \"tcp\", got \"\(entry.protocol)\"")
            }
            guard (1...65535).contains(entry.port) else {
                throw ConfigError("\(key).port must be between 1 and 65535, got \(entry.port)")
            }
            listeners.append(Listener(udp: entry.protocol == "udp", host: entry.bind, port: entry.port))
        }
    }
}

extension ServeSettings {
    /// The default UDP+TCP pair on `bind` (unless its port is 0) and every configured listener.
    func syslogListenerConfigurations() -> [SyslogListenerConfiguration] {
        var result: [SyslogListenerConfiguration] = []
        if syslogPort != 0 {
            result.append(configuration(host: bind, udpPort: syslogPort, tcpPort: syslogPort))
        }
        for listener in syslog.listeners {
            result.append(configuration(host: listener.host ?? bind, udpPort: listener.udp ? listener.port : 0,
                                        tcpPort: listener.udp ? 0 : listener.port))
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
