/// A vhost runtime parameter as RabbitMQ's definitions hold it (`parameters`): warren knows the
/// `operator_policy` component, whose value is an operator policy; any other component (a shovel,
/// a federation upstream) is read with no value, so an import can name what it does not support.
public struct RuntimeParameter: Codable, Equatable, Sendable {
    public var vhost, component, name: String
    /// The operator policy, when `component` is `operator_policy`.
    public var operatorPolicy: Policy?

    public static let operatorPolicyComponent = "operator_policy"

    /// The value of an operator policy parameter: a policy without its vhost and name.
    private struct PolicyValue: Codable {
        var pattern: String
        var definition: JSONFieldTable
        var priority: Int?
        var applyTo: String?
        enum CodingKeys: String, CodingKey {
            case pattern, definition, priority
            case applyTo = "apply-to"
        }
    }

    enum CodingKeys: String, CodingKey { case vhost, component, name, value }

    public init(operatorPolicy: Policy) {
        vhost = operatorPolicy.vhost
        component = Self.operatorPolicyComponent
        name = operatorPolicy.name
        self.operatorPolicy = operatorPolicy
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vhost = try container.decode(String.self, forKey: .vhost)
        component = try container.decode(String.self, forKey: .component)
        name = try container.decode(String.self, forKey: .name)
        guard component == Self.operatorPolicyComponent else { return }
        let value = try container.decode(PolicyValue.self, forKey: .value)
        operatorPolicy = Policy(vhost: vhost, name: name, pattern: value.pattern, applyTo: value.applyTo ?? "all",
                                priority: value.priority ?? 0, definition: value.definition.table)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vhost, forKey: .vhost)
        try container.encode(component, forKey: .component)
        try container.encode(name, forKey: .name)
        if let policy = operatorPolicy {
            try container.encode(PolicyValue(pattern: policy.pattern, definition: policy.definition, priority: policy.priority,
                                             applyTo: policy.applyTo), forKey: .value)
        }
    }
}
