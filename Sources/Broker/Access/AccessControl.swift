/// Users, vhosts, permissions and topic permissions: the state every access check reads. A
/// value: the broker owns the current one (`Broker.access`) and publishes each new version to an
/// `AccessDirectory` for the connections and the management API.
public struct AccessControl: Sendable, Equatable {
    public private(set) var users: [String: UserAccount] = [:]
    public private(set) var vhosts: Set<String> = []
    /// user → vhost → patterns.
    public private(set) var permissions: [String: [String: VhostPermissions]] = [:]
    /// user → vhost → exchange → topic permission.
    public private(set) var topicPermissions: [String: [String: [String: TopicPermission]]] = [:]
    /// Users who may only log in from a loopback address (RabbitMQ's `loopback_users`).
    public var loopbackUsers: Set<String> = ["guest"]

    public init() {}

    /// Adds or replaces a user (its permissions stay).
    public mutating func put(_ user: UserAccount) {
        users[user.name] = user
    }

    /// Removes a user and every permission it had; false when there was no such user.
    @discardableResult
    public mutating func deleteUser(_ name: String) -> Bool {
        guard users.removeValue(forKey: name) != nil else { return false }
        permissions[name] = nil
        topicPermissions[name] = nil
        return true
    }

    public mutating func addVhost(_ name: String) {
        vhosts.insert(name)
    }

    /// Removes a vhost and every permission on it.
    public mutating func removeVhost(_ name: String) {
        vhosts.remove(name)
        for user in permissions.keys { permissions[user]?[name] = nil }
        for user in topicPermissions.keys { topicPermissions[user]?[name] = nil }
    }

    public mutating func setPermissions(_ patterns: VhostPermissions, user: String, vhost: String) {
        permissions[user, default: [:]][vhost] = patterns
    }

    /// Removes a user's permissions in a vhost; false when it had none.
    @discardableResult
    public mutating func clearPermissions(user: String, vhost: String) -> Bool {
        permissions[user]?.removeValue(forKey: vhost) != nil
    }

    public mutating func setTopicPermission(_ permission: TopicPermission, user: String, vhost: String) {
        topicPermissions[user, default: [:]][vhost, default: [:]][permission.exchange] = permission
    }

    /// Removes a user's topic permissions in a vhost (one exchange's, or all when nil); false when none went.
    @discardableResult
    public mutating func clearTopicPermissions(user: String, vhost: String, exchange: String? = nil) -> Bool {
        guard let current = topicPermissions[user]?[vhost], !current.isEmpty else { return false }
        guard let exchange else {
            topicPermissions[user]?[vhost] = nil
            return true
        }
        return topicPermissions[user]?[vhost]?.removeValue(forKey: exchange) != nil
    }

    /// The user's patterns in the vhost: stored ones, or `.*` for a config user with every vhost.
    public func permissions(user: String, vhost: String) -> VhostPermissions? {
        if let stored = permissions[user]?[vhost] { return stored }
        guard users[user]?.everyVhost == true, vhosts.contains(vhost) else { return nil }
        return .full
    }

    /// Whether the user may open the vhost: it exists and the user has permissions there.
    public func mayOpen(user: String, vhost: String) -> Bool {
        vhosts.contains(vhost) && users[user] != nil && permissions(user: user, vhost: vhost) != nil
    }

    /// RabbitMQ's check of a resource name against the user's pattern for `kind`.
    public func allows(_ kind: AccessKind, user: String, vhost: String, name: String) -> Bool {
        guard users[user] != nil, let patterns = permissions(user: user, vhost: vhost) else { return false }
        return patterns.pattern(kind).matches(name)
    }

    /// RabbitMQ's topic check: allowed unless the user has a topic permission on this exchange
    /// whose pattern does not match the routing key.
    public func allowsTopic(_ kind: AccessKind, user: String, vhost: String, exchange: String, routingKey: String) -> Bool {
        guard let permission = topicPermissions[user]?[vhost]?[exchange] else { return true }
        return permission.allows(kind, routingKey: routingKey)
    }

    /// The vhosts in which the user has permissions, sorted.
    public func vhostsVisible(to user: String) -> [String] {
        vhosts.filter { permissions(user: user, vhost: $0) != nil }.sorted()
    }
}

extension AccessControl {
    /// One user's patterns in one vhost, as the management API lists them.
    public struct PermissionRow: Sendable, Equatable {
        public let user: String
        public let vhost: String
        public let permissions: VhostPermissions
    }

    /// Every user's effective permissions (config users with every vhost shown on each), by user then vhost.
    public func permissionRows() -> [PermissionRow] {
        users.keys.sorted().flatMap { user in
            vhosts.sorted().compactMap { vhost in
                permissions(user: user, vhost: vhost).map { PermissionRow(user: user, vhost: vhost, permissions: $0) }
            }
        }
    }

    /// Every topic permission as (user, vhost, permission), sorted.
    public func topicPermissionRows() -> [(user: String, vhost: String, permission: TopicPermission)] {
        topicPermissions.sorted { $0.key < $1.key }.flatMap { user, byVhost in
            byVhost.sorted { $0.key < $1.key }.flatMap { vhost, byExchange in
                byExchange.values.sorted { $0.exchange < $1.exchange }.map { (user: user, vhost: vhost, permission: $0) }
            }
        }
    }
}

extension AccessControl {
    /// nil when the user has `kind` on the resource (`resourceKind` "queue" or "exchange"; the
    /// default exchange is `amq.default`), else RabbitMQ 3.10's refusal text (newer versions
    /// prefix the permission: "configure access to …").
    public func refusal(_ kind: AccessKind, _ resourceKind: String, _ name: String, user: String, vhost: String) -> String? {
        let checkedName = resourceKind == "exchange" && name.isEmpty ? "amq.default" : name
        guard !allows(kind, user: user, vhost: vhost, name: checkedName) else { return nil }
        return "access to \(resourceKind) '\(checkedName)' in vhost '\(vhost)' refused for user '\(user)'"
    }

    /// nil when the routing (or binding) key passes the user's topic permission on the exchange,
    /// else RabbitMQ's refusal text (3.10's, compared against a RabbitMQ 3.10.8 node).
    public func topicRefusal(_ kind: AccessKind, exchange: String, key: String, user: String, vhost: String) -> String? {
        guard !allowsTopic(kind, user: user, vhost: vhost, exchange: exchange, routingKey: key) else { return nil }
        return "access to topic '\(key)' in exchange '\(exchange)' in vhost '\(vhost)' refused for user '\(user)'"
    }
}
