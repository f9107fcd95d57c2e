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
        var handshakeTimeout: Int?
        var maxMessageSize: Int?
        var connectionMax: Int?
        var consumerMaxPerChannel: Int?
        var maxTransactionSize: Int?
        var tls: TLSSection?

        enum CodingKeys: String, CodingKey {
            case port, tls
            case channelMax = "channel_max"
            case frameMax = "frame_max"
            case heartbeat
            case handshakeTimeout = "handshake_timeout"
            case maxMessageSize = "max_message_size"
            case connectionMax = "connection_max"
            case consumerMaxPerChannel = "consumer_max_per_channel"
            case maxTransactionSize = "max_transaction_size"
        }
    }

    /// `[http]`: the management listener.
    struct HTTP: Decodable, Equatable {
        var port: Int?
        var maxLiveTailStreams: Int?
        var maxBodySize: Int?
        var maxConnections: Int?
        var idleTimeout: Int?
        var tls: TLSSection?
        var allowedHosts: [String]?

        enum CodingKeys: String, CodingKey {
            case port, tls
            case allowedHosts = "allowed_hosts"
            case maxLiveTailStreams = "max_live_tail_streams"
            case maxBodySize = "max_body_size"
            case maxConnections = "max_connections"
            case idleTimeout = "idle_timeout"
        }
    }

    struct Limits: Decodable, Equatable {
        var memoryHighWatermarkBytes: Int?
        var diskFreeLimitBytes: Int?
        var queueMemoryLimitBytes: Int?
        var outboundBufferBytes: Int?
        var publisherCreditMessages: Int?

        enum CodingKeys: String, CodingKey {
            case publisherCreditMessages = "publisher_credit_messages"
            case outboundBufferBytes = "outbound_buffer_bytes"
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
        var maxHosts: Int?
        var maxRoutingKeys: Int?

        enum CodingKeys: String, CodingKey {
            case url, patterns
            case recentLimit = "recent_limit"
            case maxBacklog = "max_backlog"
            case maxHosts = "max_hosts"
            case maxRoutingKeys = "max_routing_keys"
        }
    }

    /// `[[policies]]`: RabbitMQ-style policies (`definition` keys as `rabbitmqctl set_policy` takes them).
    struct PolicyEntry: Decodable, Equatable {
        var vhost: String?
        var name: String
        var pattern: String
        var applyTo: String?
        var priority: Int?
        var definition: [String: PolicyValue]

        enum CodingKeys: String, CodingKey {
            case vhost, name, pattern, priority, definition
            case applyTo = "apply_to"
        }
    }

    /// A policy definition value: TOML integers and strings.
    enum PolicyValue: Decodable, Equatable {
        case integer(Int64)
        case string(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                self = .integer(number)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }

    /// `[[vhosts]]`: a vhost and its limits (`rabbitmqctl set_vhost_limits`' max-connections, max-queues).
    struct VirtualHost: Decodable, Equatable {
        var name: String
        var maxConnections: Int?
        var maxQueues: Int?

        enum CodingKeys: String, CodingKey {
            case name
            case maxConnections = "max_connections"
            case maxQueues = "max_queues"
        }
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
    var http: HTTP?
    var limits: Limits?
    var vhosts: [VirtualHost]?
    var users: [UserEntry]?
    var loopbackUsers: [String]?
    var redis: Redis?
    var policies: [PolicyEntry]?
    var streams: LogStreamSettings.Section?
    var upstreams: [UpstreamSection]?

    enum CodingKeys: String, CodingKey {
        case bind, amqp, syslog, http, limits, vhosts, users, redis, policies, streams, upstreams
        case dataDir = "data_dir"
        case loopbackUsers = "loopback_users"
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
