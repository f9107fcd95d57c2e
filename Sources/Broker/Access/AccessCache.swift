/// The checks one connection passed since the permissions last changed, so a publisher that
/// sends to the same exchange (and routing keys) pays one hash lookup per message, not a pattern
/// match. Emptied when the broker's permissions change (`version`) and when it holds `limit` entries.
struct AccessCache {
    struct Key: Hashable {
        /// The permission, and whether it is a topic check.
        let kind: AccessKind
        let topic: Bool
        /// "queue" or "exchange" for a resource check; the exchange for a topic check.
        let scope: String
        /// The resource name, or the routing (binding) key.
        let name: String
    }

    static let limit = 128
    private var allowed: Set<Key> = []
    private var version = 0

    /// Whether `key` passed under permissions `version`.
    mutating func contains(_ key: Key, version current: Int) -> Bool {
        if version != current {
            allowed.removeAll()
            version = current
        }
        return allowed.contains(key)
    }

    mutating func insert(_ key: Key) {
        if allowed.count >= Self.limit { allowed.removeAll() }
        allowed.insert(key)
    }
}
