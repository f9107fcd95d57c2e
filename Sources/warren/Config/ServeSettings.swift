import AMQPServer
import AMQPWire
import Broker
import Foundation
import Redis
import RedisBridge
import TLS
import Upstream

/// Everything `warren serve` runs with, after defaults, the config file, environment variables
/// and command-line flags have been applied in that order.
struct ServeSettings: Equatable {
    var bind = "127.0.0.1"
    var amqpPort = 5672
    var syslogPort = 5514
    var httpPort = 15672
    /// AMQPS (`[amqp.tls]`, port 5671 by default); nil: no TLS listener.
    var amqps: TLSListenerSettings?
    /// How a verified client certificate names its user for SASL EXTERNAL.
    var certificateLogin = CertificateLogin()
    /// HTTPS for the management API (`[http.tls]`, port 15671 by default); nil: none.
    var https: TLSListenerSettings?
    /// `http.allowed_hosts`: names a management request's Host may carry besides IP addresses and
    /// `localhost`; by default the machine's host name.
    var allowedHosts: [String] = [ProcessInfo.processInfo.hostName]
    var dataDir = "./data"
    /// The durable topic exchange collected logs are published to.
    var logExchange = "topic_logs"
    var tuning = Tuning.rabbitDefaults
    var limits = LimitSettings()
    /// nil: RabbitMQ's defaults (40 % of physical memory, 50 MB free disk).
    var memoryHighWatermark: Int?
    var diskFreeLimit: Int?
    /// A queue whose ready messages hold more than this keeps further bodies on disk.
    var queueMemoryLimit = 128 * 1024 * 1024
    /// Content bytes in flight to one connection before its consumers get no more; its socket's
    /// write-buffer high water mark (the low one is half).
    var outboundWindow = OutboundCredit.defaultWindow
    /// Ready messages above which a queue behind fast consumers stops its publishers being read.
    var publisherCreditHigh = BacklogPressure.defaultHigh
    var vhosts: [String] = []
    var users: [ConfigFile.UserEntry] = []
    /// `loopback_users`: users who may log in from loopback addresses only (RabbitMQ's key and default).
    var loopbackUsers = ["guest"]
    var syslog = SyslogSettings()
    /// Policies from the config file, set at startup (over any stored ones of the same name).
    var policies: [Policy] = []
    /// `[streams]`: the log stream.
    var logStream = LogStreamSettings()
    /// The Redis bridge; nil leaves it off.
    var redisBridge: RedisBridgeConfiguration?
    /// `[[upstreams]]` and `--upstream`: RabbitMQ clusters the log exchange is forwarded to.
    var upstreams: [UpstreamConfiguration] = []

    /// Applies the keys present in a config file.
    mutating func apply(_ file: ConfigFile) throws {
        bind = file.bind ?? bind
        dataDir = file.dataDir ?? dataDir
        amqpPort = try Self.port(file.amqp?.port, key: "amqp.port") ?? amqpPort
        syslogPort = try Self.port(file.syslog?.port, key: "syslog.port") ?? syslogPort
        httpPort = try Self.port(file.http?.port, key: "http.port") ?? httpPort
        amqps = try TLSListenerSettings(file.amqp?.tls, name: "amqp.tls", defaultPort: 5671)
        certificateLogin = try file.amqp?.tls?.certificateLogin(section: "amqp.tls") ?? certificateLogin
        try file.http?.tls?.refuseUnused(section: "http.tls", portUsed: true)
        https = try TLSListenerSettings(file.http?.tls, name: "http.tls", defaultPort: 15671)
        allowedHosts = file.http?.allowedHosts ?? allowedHosts
        if let value = file.amqp?.channelMax {
            tuning.channelMax = try Self.ranged(value, 1...65535, key: "amqp.channel_max")
        }
        if let value = file.amqp?.frameMax {
            tuning.frameMax = try Self.ranged(value, 4096...Int(UInt32.max), key: "amqp.frame_max")
        }
        if let value = file.amqp?.heartbeat {
            tuning.heartbeat = try Self.ranged(value, 0...65535, key: "amqp.heartbeat")
        }
        try limits.apply(file)
        try logStream.apply(file.streams)
        if let value = file.limits?.memoryHighWatermarkBytes {
            memoryHighWatermark = try Self.ranged(value, 1...Int.max, key: "limits.memory_high_watermark_bytes")
        }
        if let value = file.limits?.diskFreeLimitBytes {
            diskFreeLimit = try Self.ranged(value, 0...Int.max, key: "limits.disk_free_limit_bytes")
        }
        if let value = file.limits?.queueMemoryLimitBytes {
            queueMemoryLimit = try Self.ranged(value, 0...Int.max, key: "limits.queue_memory_limit_bytes")
        }
        if let value = file.limits?.outboundBufferBytes {
            outboundWindow = try Self.ranged(value, 4096...(1 << 30), key: "limits.outbound_buffer_bytes")
        }
        if let value = file.limits?.publisherCreditMessages {
            publisherCreditHigh = try Self.ranged(value, 1...Int.max, key: "limits.publisher_credit_messages")
        }
        vhosts += file.vhosts?.map(\.name) ?? []
        users += file.users ?? []
        loopbackUsers = file.loopbackUsers ?? loopbackUsers
        logExchange = file.syslog?.exchange ?? logExchange
        try syslog.apply(file.syslog)
        if let redis = file.redis {
            try applyRedis(redis)
        }
        try applyUpstreams(file.upstreams ?? [])
        policies += (file.policies ?? []).map { entry in
            Policy(vhost: entry.vhost ?? "/", name: entry.name, pattern: entry.pattern, applyTo: entry.applyTo ?? "all",
                   priority: entry.priority ?? 0,
                   definition: FieldTable(entry.definition.sorted { $0.key < $1.key }.map { key, value in
                       switch value {
                       case .integer(let number): FieldTable.Entry(key: key, value: .int64(number))
                       case .string(let text): FieldTable.Entry(key: key, value: .longString(text))
                       }
                   }))
        }
    }

    private mutating func applyRedis(_ section: ConfigFile.Redis) throws {
        guard let text = section.url else {
            if section != ConfigFile.Redis() { throw ConfigError("redis: the bridge needs redis.url") }
            return
        }
        try enableRedisBridge(url: text, key: "redis.url")
        if let patterns = section.patterns {
            guard !patterns.isEmpty else { throw ConfigError("redis.patterns must name at least one pattern") }
            redisBridge?.patterns = patterns
        }
        if let limit = section.recentLimit { redisBridge?.recentLimit = try Self.ranged(limit, 1...1_000_000, key: "redis.recent_limit") }
        if let cap = section.maxBacklog { redisBridge?.maxBacklog = try Self.ranged(cap, 1...Int.max, key: "redis.max_backlog") }
        if let cap = section.maxHosts { redisBridge?.maxHosts = try Self.ranged(cap, 0...Int.max, key: "redis.max_hosts") }
        if let cap = section.maxRoutingKeys { redisBridge?.maxRoutingKeys = try Self.ranged(cap, 0...Int.max, key: "redis.max_routing_keys") }
    }

    /// Turns the bridge on for a redis:// URL (keeping settings from the config file).
    mutating func enableRedisBridge(url text: String, key: String) throws {
        guard let url = RedisURL(text) else {
            throw ConfigError("\(key) must be redis://host[:port][/db], got '\(text)'")
        }
        var bridge = redisBridge ?? RedisBridgeConfiguration(url: url)
        bridge.url = url
        bridge.exchange = logExchange
        redisBridge = bridge
    }

    /// Applies `WARREN_*` environment variables.
    mutating func apply(environment: [String: String]) throws {
        bind = environment["WARREN_BIND"] ?? bind
        dataDir = environment["WARREN_DATA_DIR"] ?? dataDir
        amqpPort = try Self.port(environment["WARREN_AMQP_PORT"].map { try Self.integer($0, key: "WARREN_AMQP_PORT") }, key: "WARREN_AMQP_PORT") ?? amqpPort
        syslogPort = try Self.port(environment["WARREN_SYSLOG_PORT"].map { try Self.integer($0, key: "WARREN_SYSLOG_PORT") }, key: "WARREN_SYSLOG_PORT") ?? syslogPort
        httpPort = try Self.port(environment["WARREN_HTTP_PORT"].map { try Self.integer($0, key: "WARREN_HTTP_PORT") }, key: "WARREN_HTTP_PORT") ?? httpPort
        if let value = environment["WARREN_LOG_STREAM"] {
            guard let enabled = ["true": true, "1": true, "false": false, "0": false][value] else {
                throw ConfigError("WARREN_LOG_STREAM must be true, false, 1 or 0, got '\(value)'")
            }
            logStream.enabled = enabled
        }
    }

    /// The resource limits that block publishers.
    func resourceLimits() -> ResourceLimits {
        var limits = ResourceLimits(dataDirectory: dataDir)
        if let memoryHighWatermark { limits.memoryHighWatermark = memoryHighWatermark }
        if let diskFreeLimit { limits.diskFreeLimit = diskFreeLimit }
        return limits
    }

    /// The configured users, each checked: a password or a valid hash is required.
    func configuredUsers() throws -> [(account: UserAccount, vhosts: [String]?)] {
        try users.map { entry in
            let hash: String
            if let password = entry.password {
                hash = PasswordHash(password: password).base64
            } else if let encoded = entry.passwordHash {
                guard PasswordHash(base64: encoded) != nil else {
                    throw ConfigError("user '\(entry.name)': password_hash is not a base64 salted SHA-256 hash")
                }
                hash = encoded
            } else {
                throw ConfigError("user '\(entry.name)' needs password or password_hash")
            }
            // No `vhosts` key: every vhost with full permissions, as before permissions existed.
            let account = UserAccount(name: entry.name, passwordHash: hash, tags: entry.tags ?? [], everyVhost: entry.vhosts == nil)
            return (account: account, vhosts: entry.vhosts)
        }
    }

    private static func integer(_ text: String, key: String) throws -> Int {
        guard let value = Int(text) else { throw ConfigError("\(key) must be an integer, got '\(text)'") }
        return value
    }

    static func port(_ value: Int?, key: String) throws -> Int? {
        guard let value else { return nil }
        return try ranged(value, 0...65535, key: key)
    }

    static func ranged<T: FixedWidthInteger>(_ value: Int, _ range: ClosedRange<Int>, key: String) throws -> T {
        guard range.contains(value) else {
            throw ConfigError("\(key) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return T(value)
    }
}
