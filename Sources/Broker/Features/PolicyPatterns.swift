/// A vhost's policy patterns, compiled once each rather than at every look-up (a listing of
/// thousands of queues matches every queue against every policy).
struct PolicyPatterns {
    private var compiled: [String: Regex<AnyRegexOutput>] = [:]

    /// Whether `pattern` (a policy's, checked when the policy was set) is found in `name`.
    mutating func matches(_ pattern: String, _ name: String) -> Bool {
        if compiled[pattern] == nil, let regex = try? Regex(pattern) { compiled[pattern] = regex }
        guard let regex = compiled[pattern] else { return false }
        return name.firstMatch(of: regex) != nil
    }

    /// Forgets the patterns no policy uses any more.
    mutating func keep(only patterns: Set<String>) {
        compiled = compiled.filter { patterns.contains($0.key) }
    }
}
