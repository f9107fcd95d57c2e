import AMQPWire

/// The arguments of stream queues and their consumers, validated as RabbitMQ 3.x does.
public enum StreamArguments {
    static let queueTypeKey = "x-queue-type"

    /// Whether declare arguments ask for a stream queue.
    static func isStream(_ arguments: FieldTable) -> Bool {
        arguments[queueTypeKey].flatMap(\.stringValue) == "stream"
    }

    /// Retention and segment size from `x-max-length-bytes`, `x-max-age` and
    /// `x-stream-max-segment-size-bytes`.
    static func retention(_ arguments: FieldTable, queue: String, vhost: String) throws(AMQPError) -> StreamRetention {
        var retention = StreamRetention()
        for entry in arguments.entries {
            func invalid(_ reason: String) -> AMQPError {
                AMQPError(.preconditionFailed, "invalid arg '\(entry.key)' for queue '\(queue)' in vhost '\(vhost)': \(reason)")
            }
            switch entry.key {
            case "x-max-length-bytes":
                retention.maxBytes = Int(clamping: try QueueFeatures.nonNegative(entry.value, invalid))
            case "x-stream-max-segment-size-bytes":
                retention.maxSegmentBytes = Int(clamping: try QueueFeatures.nonNegative(entry.value, invalid))
            case "x-max-age":
                guard case .longString(let text) = entry.value else {
                    throw invalid("{unacceptable_type,\(ArgumentEquivalence.typeName(entry.value))}")
                }
                guard let age = duration(text) else { throw invalid("invalid_max_age") }
                retention.maxAge = age
            default:
                continue
            }
        }
        return retention
    }

    /// Milliseconds in a duration written as RabbitMQ writes `x-max-age`: a positive integer and one
    /// unit of `Y M D h m s` (`7D`); as a warren extension, several such terms are added up
    /// (`7D 12h`). nil when it is not one, or too long to count in milliseconds.
    public static func duration(_ text: String) -> Int64? {
        let terms = text.split(separator: " ", omittingEmptySubsequences: true)
        guard !terms.isEmpty, terms.count <= 6 else { return nil }
        var total: Int64 = 0
        for term in terms {
            guard let unit = term.last, let scale = unitMilliseconds[unit], let count = Int64(term.dropLast()), count > 0,
                  term.utf8.dropLast().allSatisfy({ UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 }) else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: scale)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return nil }
            total = sum
        }
        return total
    }

    /// RabbitMQ's units: a year is 365 days, a month 30.
    private static let unitMilliseconds: [Character: Int64] = [
        "Y": 365 * 86_400_000, "M": 30 * 86_400_000, "D": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000,
    ]

    /// Where a consumer starts (`x-stream-offset`): `first`, `last`, `next`, an offset (any integer
    /// type), an AMQP timestamp (seconds), or an interval back from `now` (`1h`, as `x-max-age`).
    /// Absent means `next`, as in RabbitMQ. Anything else is refused with 406 on the channel
    /// (RabbitMQ 3.10 fails the connection with a bare 541 INTERNAL_ERROR).
    static func start(_ value: FieldValue?, now: Int64) throws(AMQPError) -> StreamStart {
        guard let value else { return .next }
        if case .timestamp = value { return .timestamp(try time(value, now: now)) }
        if let number = value.integerValue {
            return number < 0 ? .first : .offset(UInt64(number))  // RabbitMQ starts a negative offset at the first
        }
        switch value.stringValue {
        case "first": return .first
        case "last": return .last
        case "next": return .next
        default:
            return .timestamp(try time(value, now: now))
        }
    }

    /// A time in milliseconds since 1970 from an AMQP timestamp (seconds) or an interval back
    /// from `now` (`1h`).
    static func time(_ value: FieldValue, now: Int64, key: String = "x-stream-offset") throws(AMQPError) -> Int64 {
        if case .timestamp(let seconds) = value {
            let (milliseconds, overflow) = Int64(clamping: seconds).multipliedReportingOverflow(by: 1_000)
            return overflow ? .max : milliseconds
        }
        guard let text = value.stringValue, let interval = duration(text) else {
            throw AMQPError(.preconditionFailed, "invalid arg '\(key)': \(value.textValue)")
        }
        let (since, overflow) = now.subtractingReportingOverflow(interval)
        return overflow ? .min : since
    }
}
