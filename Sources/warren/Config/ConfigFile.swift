import Foundation
import TOMLKit

/// The TOML configuration file as written by users; every key is optional and documented in
/// `config/warren.toml`.
struct ConfigFile: Decodable, Equatable {
    struct AMQP: Decodable, Equatable {
        var port: Int?
        var channelMax: Int?
        var frameMax: Int?
        var heartbeat: Int?

        enum CodingKeys: String, CodingKey {
            case port
            case channelMax = "channel_max"
            case frameMax = "frame_max"
            case heartbeat
        }
    }

    struct Listener: Decodable, Equatable {
        var port: Int?
    }

    struct Limits: Decodable, Equatable {
        var memoryHighWatermarkBytes: Int?
        var diskFreeLimitBytes: Int?
        var queueMemoryLimitBytes: Int?

        enum CodingKeys: String, CodingKey {
            case queueMemoryLimitBytes = "queue_memory_limit_bytes"
            case memoryHighWatermarkBytes = "memory_high_watermark_bytes"
            case diskFreeLimitBytes = "disk_free_limit_bytes"
        }
    }

    /// `[redis]`: the Redis bridge (off unless `url` is set).
    struct Redis: Decodable, Equatable {
        var url: String?
        var patterns: [String]?
        var recentLimit: Int?
        var maxBacklog: Int?

        enum CodingKeys: String, CodingKey {
            case url, patterns
            case recentLimit = "recent_limit"
            case maxBacklog = "max_backlog"
        }
    }

    struct VirtualHost: Decodable, Equatable {
        var name: String
    }

    struct UserEntry: Decodable, Equatable {
        var name: String
        var password: String?
        var passwordHash: String?
        var vhosts: [String]?
        var tags: [String]?

        enum CodingKeys: String, CodingKey {
            case name, password, vhosts, tags
            case passwordHash = "password_hash"
        }
    }

    var bind: String?
    var dataDir: String?
    var amqp: AMQP?
    var syslog: SyslogSection?
    var http: Listener?
    var limits: Limits?
    var vhosts: [VirtualHost]?
    var users: [UserEntry]?
    var redis: Redis?

    enum CodingKeys: String, CodingKey {
        case bind, amqp, syslog, http, limits, vhosts, users, redis
        case dataDir = "data_dir"
    }

    /// Reads and decodes a TOML file; errors name the file.
    static func load(path: String) throws -> ConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("cannot read config file \(path): \(error.localizedDescription)")
        }
        do {
            return try TOMLDecoder().decode(ConfigFile.self, from: text)
        } catch {
            throw ConfigError("invalid config file \(path): \(error)")
        }
    }
}

/// A configuration problem, reported to the user as it is.
struct ConfigError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
