import AMQPWire

/// A vhost policy as RabbitMQ defines it (`rabbitmqctl set_policy`): queue and exchange settings
/// for every object whose name matches a regular expression. Of the policies that match, the one
/// of highest priority applies. Same JSON shape as RabbitMQ's definitions export.
public struct Policy: Codable, Equatable, Sendable {
    public var vhost: String
    public var name: String
    /// A regular expression searched in the object's name (`^` anchors it, as in RabbitMQ).
    public var pattern: String
    /// `queues`, `exchanges` or `all`.
    public var applyTo: String
    public var priority: Int
    /// Keys as RabbitMQ names them: `message-ttl`, `expires`, `max-length`, `max-length-bytes`,
    /// `overflow`, `dead-letter-exchange`, `dead-letter-routing-key`, `alternate-exchange`.
    public var definition: JSONFieldTable

    enum CodingKeys: String, CodingKey {
        case vhost, name, pattern, priority, definition
        case applyTo = "apply-to"
    }

    public init(vhost: String = "/", name: String, pattern: String, applyTo: String = "all", priority: Int = 0,
                definition: FieldTable) {
        self.vhost = vhost
        self.name = name
        self.pattern = pattern
        self.applyTo = applyTo
        self.priority = priority
        self.definition = JSONFieldTable(definition)
    }

    /// Definition keys that apply to queues, and the queue argument each stands for.
    static let queueKeys: [String: String] = [
        "message-ttl": "x-message-ttl", "expires": "x-expires", "max-length": "x-max-length",
        "max-length-bytes": "x-max-length-bytes", "overflow": "x-overflow",
        "dead-letter-exchange": "x-dead-letter-exchange", "dead-letter-routing-key": "x-dead-letter-routing-key",
    ]
    /// Limits where RabbitMQ applies the smaller of the policy's and the queue argument's value.
    static let smallerWins: Set<String> = ["x-message-ttl", "x-expires", "x-max-length", "x-max-length-bytes"]

    func applies(toQueue name: String) -> Bool { (applyTo == "queues" || applyTo == "all") && matches(name) }
    func applies(toExchange name: String) -> Bool { (applyTo == "exchanges" || applyTo == "all") && matches(name) }

    private func matches(_ name: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return name.firstMatch(of: regex) != nil
    }

    /// The queue arguments this policy stands for.
    var queueArguments: FieldTable {
        FieldTable(definition.table.entries.compactMap { entry in
            Self.queueKeys[entry.key].map { FieldTable.Entry(key: $0, value: entry.value) }
        })
    }

    /// Checks the policy as RabbitMQ does when it is set.
    func validate() throws(AMQPError) {
        guard ["queues", "exchanges", "all"].contains(applyTo) else {
            throw AMQPError(.preconditionFailed, "policy '\(name)': apply-to must be queues, exchanges or all, got '\(applyTo)'")
        }
        guard (try? Regex(pattern)) != nil else {
            throw AMQPError(.preconditionFailed, "policy '\(name)': invalid pattern '\(pattern)'")
        }
        for entry in definition.table.entries where Self.queueKeys[entry.key] == nil && entry.key != "alternate-exchange" {
            throw AMQPError(.preconditionFailed, "policy '\(name)': unsupported definition key '\(entry.key)'")
        }
        do throws(AMQPError) {
            _ = try QueueFeatures.parse(queueArguments, queue: name, vhost: vhost)
        } catch {
            let explanation = String(error.text.dropFirst("\(error.code.name) - ".count))
            throw AMQPError(.preconditionFailed, explanation.replacing("for queue '\(name)' in vhost '\(vhost)'",
                                                                        with: "in policy '\(name)' in vhost '\(vhost)'"))
        }
        if let alternate = definition.table["alternate-exchange"], case .longString = alternate {} else if definition.table["alternate-exchange"] != nil {
            throw AMQPError(.preconditionFailed, "policy '\(name)': alternate-exchange must be a string")
        }
    }

    /// The queue's arguments with this policy applied: the argument wins, except that the smaller
    /// limit wins for TTLs and lengths.
    static func merge(_ arguments: FieldTable, with policy: Policy?) -> FieldTable {
        guard let policy else { return arguments }
        var merged = arguments
        for entry in policy.queueArguments.entries {
            guard let own = arguments[entry.key] else {
                merged[entry.key] = entry.value
                continue
            }
            if smallerWins.contains(entry.key), let mine = own.integerValue, let theirs = entry.value.integerValue, theirs < mine {
                merged[entry.key] = entry.value
            }
        }
        return merged
    }
}
