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
    /// The definition keys an operator policy may set (RabbitMQ's `operator_policy_validator`s that
    /// warren implements): limits, where the smaller of policy and operator policy applies.
    static let operatorKeys: Set<String> = ["message-ttl", "expires", "max-length", "max-length-bytes"]

    var appliesToQueues: Bool { applyTo == "queues" || applyTo == "all" }
    var appliesToExchanges: Bool { applyTo == "exchanges" || applyTo == "all" }

    /// The queue arguments this policy stands for.
    var queueArguments: FieldTable { Self.merge([:], withDefinition: definition.table) }

    /// Checks the policy as RabbitMQ does when it is set (an operator policy takes fewer keys).
    func validate(_ kind: PolicyKind = .policy) throws(AMQPError) {
        guard ["queues", "exchanges", "all"].contains(applyTo) else {
            throw AMQPError(.preconditionFailed, "apply-to '\(applyTo)' unrecognised; should be 'queues', 'exchanges' or 'all'")
        }
        do throws(PermissionRegexError) {
            _ = try PolicyPatterns.compile(pattern)
        } catch {
            throw AMQPError(.preconditionFailed, "pattern should be regular expression but is invalid: '\(pattern.prefix(255))': \(error.reason)")
        }
        guard !definition.table.entries.isEmpty else { throw AMQPError(.preconditionFailed, "no policy provided") }
        let unknown = definition.table.entries.filter { entry in
            switch kind {
            case .policy: Self.queueKeys[entry.key] == nil && entry.key != "alternate-exchange"
            case .operatorPolicy: !Self.operatorKeys.contains(entry.key)
            }
        }
        if !unknown.isEmpty {
            let listed = unknown.map { "{<<\"\($0.key)\">>,\(Self.erlangTerm($0.value))}" }.joined(separator: ",")
            throw AMQPError(.preconditionFailed, "[\(listed)] are not recognised policy settings")
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

    /// The definition in force when both a policy and an operator policy match (RabbitMQ's
    /// `effective_policy_definition`): every key of both, the smaller value where both set a limit.
    static func effectiveDefinition(policy: Policy?, operatorPolicy: Policy?) -> FieldTable {
        var merged = policy?.definition.table ?? [:]
        for entry in operatorPolicy?.definition.table.entries ?? [] {
            if let own = merged[entry.key]?.integerValue, let cap = entry.value.integerValue, own <= cap { continue }
            merged[entry.key] = entry.value
        }
        return merged
    }

    /// The queue's arguments with a policy definition applied: the argument wins, except that the
    /// smaller limit wins for TTLs and lengths.
    static func merge(_ arguments: FieldTable, withDefinition definition: FieldTable) -> FieldTable {
        var merged = arguments
        let policyArguments = FieldTable(definition.entries.compactMap { entry in
            queueKeys[entry.key].map { FieldTable.Entry(key: $0, value: entry.value) }
        })
        for entry in policyArguments.entries {
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

extension Policy {
    /// A definition value as RabbitMQ's validation errors print it (`5`, `<<"text">>`), cut to 64 characters.
    static func erlangTerm(_ value: FieldValue) -> String {
        if let number = value.integerValue { return String(number) }
        if case .longString(let text) = value { return "<<\"\(text.prefix(64))\">>" }
        return String(String(describing: value).prefix(64))
    }
}

/// Which of a vhost's two policy sets a policy belongs to: policies (`rabbitmqctl set_policy`) or
/// operator policies (`set_operator_policy`), which cap limits whatever the policies say.
public enum PolicyKind: Sendable, Equatable {
    case policy
    case operatorPolicy
}
