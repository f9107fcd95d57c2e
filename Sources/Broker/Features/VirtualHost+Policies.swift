/// A vhost's two policy sets, by kind.
extension VirtualHost {
    func policySet(_ kind: PolicyKind) -> [String: Policy] {
        switch kind {
        case .policy: policies
        case .operatorPolicy: operatorPolicies
        }
    }

    func setPolicy(_ policy: Policy, kind: PolicyKind) {
        switch kind {
        case .policy: policies[policy.name] = policy
        case .operatorPolicy: operatorPolicies[policy.name] = policy
        }
        forgetUnusedPatterns()
    }

    /// Removes a policy; false when there was none.
    func removePolicy(_ name: String, kind: PolicyKind) -> Bool {
        let removed = switch kind {
        case .policy: policies.removeValue(forKey: name) != nil
        case .operatorPolicy: operatorPolicies.removeValue(forKey: name) != nil
        }
        forgetUnusedPatterns()
        return removed
    }

    /// Whether a policy's pattern is found in an object's name.
    func matches(_ policy: Policy, _ name: String) -> Bool { policyPatterns.matches(policy.pattern, name) }

    private func forgetUnusedPatterns() {
        policyPatterns.keep(only: Set((Array(policies.values) + Array(operatorPolicies.values)).map(\.pattern)))
    }
}
