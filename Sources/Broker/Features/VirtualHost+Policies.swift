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
    }

    /// Removes a policy; false when there was none.
    func removePolicy(_ name: String, kind: PolicyKind) -> Bool {
        switch kind {
        case .policy: policies.removeValue(forKey: name) != nil
        case .operatorPolicy: operatorPolicies.removeValue(forKey: name) != nil
        }
    }
}
