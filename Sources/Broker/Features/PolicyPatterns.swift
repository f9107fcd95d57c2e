/// A vhost's policy patterns, compiled once each rather than at every look-up (a listing of
/// thousands of queues matches every queue against every policy). They are matched as RabbitMQ's
/// `re:run` matches them (unanchored search) by the same linear-time engine as permissions
/// (`PermissionRegex`), so no pattern, `^(a+)+$` included, can make a look-up backtrack.
struct PolicyPatterns {
    private var compiled: [String: PermissionRegex] = [:]

    /// The pattern compiled; an empty one matches every name, as in RabbitMQ (where permissions
    /// read `""` as `^$`, a policy's `""` is found in every name).
    static func compile(_ pattern: String) throws(PermissionRegexError) -> PermissionRegex {
        try PermissionRegex(pattern.isEmpty ? ".*" : pattern)
    }

    /// Whether `pattern` (a policy's, checked when the policy was set) is found in `name`.
    mutating func matches(_ pattern: String, _ name: String) -> Bool {
        if compiled[pattern] == nil {
            do throws(PermissionRegexError) {
                compiled[pattern] = try Self.compile(pattern)
            } catch {
                return false  // unreachable: a policy's pattern is compiled when it is set
            }
        }
        return compiled[pattern]?.matches(name) ?? false
    }

    /// Forgets the patterns no policy uses any more.
    mutating func keep(only patterns: Set<String>) {
        compiled = compiled.filter { patterns.contains($0.key) }
    }
}
