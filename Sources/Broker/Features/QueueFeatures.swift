import AMQPWire

/// What a queue's `x-` arguments ask of it, validated as RabbitMQ 3.x validates them.
/// A queue declared without any of them has no `QueueFeatures` and pays for none.
public struct QueueFeatures: Sendable, Equatable {
    /// What a full queue does with the next message (`x-overflow`).
    public enum Overflow: String, Sendable {
        case dropHead = "drop-head"
        case rejectPublish = "reject-publish"
        case rejectPublishDeadLetter = "reject-publish-dlx"
    }

    /// x-message-ttl, milliseconds.
    public var messageTTL: Int64?
    /// x-expires, milliseconds without use before the queue is deleted.
    public var expires: Int64?
    /// x-max-length, ready messages.
    public var maxLength: Int?
    /// x-max-length-bytes, body bytes of the ready messages.
    public var maxLengthBytes: Int?
    public var overflow: Overflow = .dropHead
    /// x-dead-letter-exchange ("" is the default exchange).
    public var deadLetterExchange: String?
    public var deadLetterRoutingKey: String?
    /// x-max-priority (1–255); 0 or absent means a plain FIFO queue.
    public var maxPriority: UInt8?
    public var singleActiveConsumer = false

    /// Whether any limit applies to the queue's length.
    var hasLengthLimit: Bool { maxLength != nil || maxLengthBytes != nil }
    /// Whether the queue needs the broker's timer (message TTL or queue expiry).
    var isTimed: Bool { messageTTL != nil || expires != nil }

    /// The largest TTL or expiry RabbitMQ accepts: ten years in milliseconds.
    static let maxDuration: Int64 = 315_360_000_000

    /// Validates the arguments; nil when none of them asks for a feature.
    static func parse(_ arguments: FieldTable, queue: String, vhost: String) throws(AMQPError) -> QueueFeatures? {
        var features = QueueFeatures()
        var used = false
        let what = "for queue '\(queue)' in vhost '\(vhost)'"
        for entry in arguments.entries {
            let value = entry.value
            func invalid(_ reason: String) -> AMQPError {
                AMQPError(.preconditionFailed, "invalid arg '\(entry.key)' \(what): \(reason)")
            }
            switch entry.key {
            case "x-message-ttl":
                features.messageTTL = try duration(value, allowZero: true, invalid)
            case "x-expires":
                features.expires = try duration(value, allowZero: false, invalid)
            case "x-max-length":
                features.maxLength = Int(clamping: try nonNegative(value, invalid))
            case "x-max-length-bytes":
                features.maxLengthBytes = Int(clamping: try nonNegative(value, invalid))
            case "x-max-priority":
                let priority = try nonNegative(value, invalid)
                guard priority <= 255 else { throw invalid("{max_value_exceeded,\(priority)}") }
                features.maxPriority = priority == 0 ? nil : UInt8(priority)
            case "x-overflow":
                guard case .longString(let text) = value else { throw invalid("{unacceptable_type,\(ArgumentEquivalence.typeName(value))}") }
                guard let overflow = Overflow(rawValue: text) else { throw invalid("invalid_overflow") }
                features.overflow = overflow
            case "x-dead-letter-exchange", "x-dead-letter-routing-key":
                guard case .longString(let text) = value else {
                    throw AMQPError(.preconditionFailed, "invalid type '\(ArgumentEquivalence.typeName(value))' for arg '\(entry.key)' in queue '\(queue)' in vhost '\(vhost)'")
                }
                if entry.key == "x-dead-letter-exchange" { features.deadLetterExchange = text } else { features.deadLetterRoutingKey = text }
            case "x-single-active-consumer":
                guard case .boolean(let flag) = value else { throw invalid("{unacceptable_type,\(ArgumentEquivalence.typeName(value))}") }
                features.singleActiveConsumer = flag
            case "x-queue-mode":
                guard case .longString(let mode) = value, mode == "default" || mode == "lazy" else {
                    throw invalid("\"unsupported queue mode '\(value.textValue)'\"")
                }
                continue
            default:
                continue
            }
            used = true
        }
        if features.deadLetterRoutingKey != nil && features.deadLetterExchange == nil {
            throw AMQPError(.preconditionFailed, "invalid arg 'x-dead-letter-routing-key' \(what): routing_key_but_no_dlx_defined")
        }
        return used && features != QueueFeatures() ? features : nil
    }

    /// An integer argument of any width, as RabbitMQ takes them.
    static func integer(_ value: FieldValue, _ invalid: (String) -> AMQPError) throws(AMQPError) -> Int64 {
        guard let number = value.integerValue else {
            throw invalid("\"expected integer, got \(ArgumentEquivalence.typeName(value))\"")
        }
        return number
    }

    static func nonNegative(_ value: FieldValue, _ invalid: (String) -> AMQPError) throws(AMQPError) -> Int64 {
        let number = try integer(value, invalid)
        guard number >= 0 else { throw invalid("{value_negative,\(number)}") }
        return number
    }

    private static func duration(_ value: FieldValue, allowZero: Bool, _ invalid: (String) -> AMQPError) throws(AMQPError) -> Int64 {
        let number = try nonNegative(value, invalid)
        if number == 0 && !allowZero { throw invalid("{value_zero,0}") }
        guard number <= maxDuration else { throw invalid("{value_too_large,\(number)}") }
        return number
    }
}

extension FieldValue {
    /// The value as RabbitMQ prints it inside an error text.
    var textValue: String {
        if case .longString(let text) = self { return text }
        return integerValue.map { "\($0)" } ?? "\(self)"
    }
}
