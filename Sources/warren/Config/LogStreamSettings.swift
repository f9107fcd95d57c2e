import AMQPWire
import Broker
import Logging

/// `[streams]`: the stream every collected log entry is appended to (`logs`, bound to the log
/// exchange with `#`), so `warren tail --since 1h` can replay. On by default.
struct LogStreamSettings: Equatable {
    var enabled = true
    var name = "logs"
    /// `streams.max_age`: as `x-max-age` (`7D`, `12h`).
    var maxAge: String? = "7D"
    /// `streams.max_length_bytes`.
    var maxLengthBytes: Int? = 10_000_000_000
    /// `streams.max_segment_size_bytes`; nil keeps RabbitMQ's 500,000,000.
    var maxSegmentSizeBytes: Int?

    /// The TOML section.
    struct Section: Decodable, Equatable {
        var logs: Bool?
        var name: String?
        var maxAge: String?
        var maxLengthBytes: Int?
        var maxSegmentSizeBytes: Int?

        enum CodingKeys: String, CodingKey {
            case logs, name
            case maxAge = "max_age"
            case maxLengthBytes = "max_length_bytes"
            case maxSegmentSizeBytes = "max_segment_size_bytes"
        }
    }

    mutating func apply(_ section: Section?) throws {
        guard let section else { return }
        enabled = section.logs ?? enabled
        if let value = section.name {
            guard !value.isEmpty, value.utf8.count <= 255, !value.hasPrefix("amq.") else {
                throw ConfigError("streams.name must be 1 to 255 bytes and not begin with amq., got '\(value)'")
            }
            name = value
        }
        if let value = section.maxAge { maxAge = value.isEmpty ? nil : value }
        if let value = section.maxLengthBytes {
            maxLengthBytes = value == 0 ? nil : try ServeSettings.ranged(value, 0...Int.max, key: "streams.max_length_bytes")
        }
        if let value = section.maxSegmentSizeBytes {
            maxSegmentSizeBytes = try ServeSettings.ranged(value, 1...Int.max, key: "streams.max_segment_size_bytes")
        }
    }

    /// The declare arguments of the stream.
    var arguments: FieldTable {
        var arguments: FieldTable = ["x-queue-type": .longString("stream")]
        if let maxAge { arguments["x-max-age"] = .longString(maxAge) }
        if let maxLengthBytes { arguments["x-max-length-bytes"] = .int64(Int64(maxLengthBytes)) }
        if let maxSegmentSizeBytes { arguments["x-stream-max-segment-size-bytes"] = .int64(Int64(maxSegmentSizeBytes)) }
        return arguments
    }
}

extension Broker {
    /// Declares the log stream in the default vhost and binds it to the log exchange with `#`.
    /// A stream of that name declared earlier with other retention stays as it is (a warning says so).
    func declareLogStream(_ settings: LogStreamSettings, exchange: String, logger: Logger) throws {
        guard settings.enabled else { return }
        do {
            try manageDeclareQueue(vhost: "/", queue: settings.name, durable: true, autoDelete: false, arguments: settings.arguments)
        } catch let error where error.code == .preconditionFailed {
            logger.warning("streams: queue '\(settings.name)' exists with other arguments; it is kept as it is (\(error.text))")
        } catch {
            throw ConfigError("streams: cannot declare '\(settings.name)': \(error.text)")
        }
        do {
            try manageBind(vhost: "/", source: exchange, destination: settings.name, destinationType: "queue", routingKey: "#",
                           arguments: [:])
        } catch {
            throw ConfigError("streams: cannot bind '\(settings.name)' to '\(exchange)': \(error.text)")
        }
    }
}
