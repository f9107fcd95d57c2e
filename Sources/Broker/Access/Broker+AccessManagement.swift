import AMQPWire

/// Changing users, vhosts and permissions (management API, CLI, config, definitions): each change
/// is checked, saved with the durable definitions and published to the `AccessDirectory`, so it
/// holds for the next operation. Refusals are AMQP errors the API maps to 400/404.
extension Broker {
    /// The access model as the checks see it now.
    public var accessControl: AccessControl { access }

    /// Users who may only log in from loopback (`loopback_users`; default `guest`).
    public func setLoopbackUsers(_ names: Set<String>) {
        access.loopbackUsers = names
        accessChanged(save: false)
    }

    /// Adds or replaces a user.
    public func putUser(_ user: UserAccount) {
        access.put(user)
        accessChanged()
    }

    /// Deletes a user with its permissions and closes its connections (320, as RabbitMQ does).
    public func deleteUser(_ name: String) throws(AMQPError) {
        guard access.deleteUser(name) else { throw AMQPError(.notFound, "no user '\(name)'") }
        for session in sessions.values where session.checked && session.user == name {
            session.send(.closeConnection(AMQPError(.connectionForced, "user '\(name)' is deleted")))
        }
        accessChanged()
    }

    /// Creates a vhost (nothing when it exists).
    public func putVhost(_ name: String) throws(AMQPError) {
        guard !name.isEmpty, name.utf8.count <= 255 else { throw AMQPError(.preconditionFailed, "vhost name must be 1 to 255 bytes") }
        addVhost(name)
        accessChanged()
    }

    /// Deletes a vhost: its connections close (320), its queues (and their messages), exchanges,
    /// policies and permissions go.
    public func deleteVhost(_ name: String) throws(AMQPError) {
        guard let vhost = vhosts[name] else { throw AMQPError(.notFound, "no vhost '\(name)'") }
        now = clock()
        for session in sessions.values where session.vhost === vhost {
            session.send(.closeConnection(AMQPError(.connectionForced, "vhost '\(name)' is deleted")))
        }
        for queue in vhost.queues.values { deleteQueue(queue, in: vhost) }
        removeVhost(name)
        accessChanged()
    }

    public func setPermissions(user: String, vhost: String, configure: String, write: String, read: String) throws(AMQPError) {
        try requireUser(user, vhost: vhost)
        let patterns = VhostPermissions(configure: try Self.pattern(configure), write: try Self.pattern(write), read: try Self.pattern(read))
        access.setPermissions(patterns, user: user, vhost: vhost)
        accessChanged()
    }

    public func clearPermissions(user: String, vhost: String) throws(AMQPError) {
        guard access.clearPermissions(user: user, vhost: vhost) else {
            throw AMQPError(.notFound, "no permissions for user '\(user)' in vhost '\(vhost)'")
        }
        accessChanged()
    }

    public func setTopicPermission(user: String, vhost: String, exchange: String, write: String, read: String) throws(AMQPError) {
        try requireUser(user, vhost: vhost)
        let permission: TopicPermission
        do {
            permission = try TopicPermission(exchange: exchange, write: write, read: read, user: user, vhost: vhost)
        } catch {
            throw AMQPError(.preconditionFailed, "invalid topic permission pattern: \(error.reason)")
        }
        access.setTopicPermission(permission, user: user, vhost: vhost)
        accessChanged()
    }

    /// Clears a user's topic permissions in a vhost: on one exchange, or all when `exchange` is nil.
    public func clearTopicPermissions(user: String, vhost: String, exchange: String?) throws(AMQPError) {
        guard access.clearTopicPermissions(user: user, vhost: vhost, exchange: exchange) else {
            throw AMQPError(.notFound, "no topic permissions for user '\(user)' in vhost '\(vhost)'")
        }
        accessChanged()
    }

    private func requireUser(_ user: String, vhost: String) throws(AMQPError) {
        guard access.users[user] != nil else { throw AMQPError(.notFound, "no user '\(user)'") }
        guard vhosts[vhost] != nil else { throw AMQPError(.notFound, "no vhost '\(vhost)'") }
    }

    static func pattern(_ source: String) throws(AMQPError) -> PermissionRegex {
        do {
            return try PermissionRegex(source)
        } catch {
            throw AMQPError(.preconditionFailed, "invalid permission pattern '\(source.prefix(100))': \(error.reason)")
        }
    }

    /// Publishes the new model and, unless `save` is false, saves it with the definitions.
    func accessChanged(save: Bool = true) {
        accessDirectory.publish(access)
        if save { definitionsChanged = true }
        finishBurst()
    }
}
