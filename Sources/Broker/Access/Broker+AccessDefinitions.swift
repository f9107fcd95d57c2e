import AMQPWire

/// Users, permissions and topic permissions in the durable definitions and in RabbitMQ's
/// definitions import and export.
extension Broker {
    func addAccess(to definitions: inout Definitions) {
        definitions.users = access.users.values.sorted { $0.name < $1.name }.map {
            .init(name: $0.name, passwordHash: $0.passwordHash, hashingAlgorithm: $0.hashingAlgorithm, tags: $0.tags)
        }
        var permissions: [Definitions.PermissionEntry] = []
        for (user, byVhost) in access.permissions.sorted(by: { $0.key < $1.key }) {
            for (vhost, patterns) in byVhost.sorted(by: { $0.key < $1.key }) {
                permissions.append(.init(user: user, vhost: vhost, configure: patterns.configure.source,
                                         write: patterns.write.source, read: patterns.read.source))
            }
        }
        definitions.permissions = permissions
        var topics: [Definitions.TopicPermissionEntry] = []
        for (user, byVhost) in access.topicPermissions.sorted(by: { $0.key < $1.key }) {
            for (vhost, byExchange) in byVhost.sorted(by: { $0.key < $1.key }) {
                for permission in byExchange.values.sorted(by: { $0.exchange < $1.exchange }) {
                    topics.append(.init(user: user, vhost: vhost, exchange: permission.exchange,
                                        write: permission.write, read: permission.read))
                }
            }
        }
        definitions.topicPermissions = topics
    }

    /// The users and permissions of a definitions file, each checked; nil when the file has none.
    static func accessEntries(_ definitions: Definitions) throws(AMQPError) -> AccessControl? {
        guard definitions.users != nil || definitions.permissions != nil || definitions.topicPermissions != nil else { return nil }
        var result = AccessControl()
        for entry in definitions.users ?? [] {
            guard UserAccount.hashingAlgorithms.contains(entry.hashingAlgorithm) else {
                throw AMQPError(.preconditionFailed, "user '\(entry.name)': unsupported hashing algorithm '\(entry.hashingAlgorithm)'")
            }
            result.put(UserAccount(name: entry.name, passwordHash: entry.passwordHash, hashingAlgorithm: entry.hashingAlgorithm,
                                   tags: entry.tags))
        }
        for entry in definitions.permissions ?? [] {
            let patterns = VhostPermissions(configure: try pattern(entry.configure), write: try pattern(entry.write),
                                            read: try pattern(entry.read))
            result.setPermissions(patterns, user: entry.user, vhost: entry.vhost)
        }
        for entry in definitions.topicPermissions ?? [] {
            do {
                result.setTopicPermission(try TopicPermission(exchange: entry.exchange, write: entry.write, read: entry.read,
                                                              user: entry.user, vhost: entry.vhost),
                                          user: entry.user, vhost: entry.vhost)
            } catch {
                throw AMQPError(.preconditionFailed, "invalid topic permission pattern: \(error.reason)")
            }
        }
        return result
    }

    /// Adds (replacing same-named ones) the users and permissions read from definitions.
    func merge(_ imported: AccessControl) {
        for user in imported.users.values {
            var merged = user
            merged.everyVhost = access.users[user.name]?.everyVhost ?? false
            access.put(merged)
        }
        for (user, byVhost) in imported.permissions {
            for (vhost, patterns) in byVhost {
                addVhost(vhost)
                access.setPermissions(patterns, user: user, vhost: vhost)
            }
        }
        for (user, byVhost) in imported.topicPermissions {
            for (vhost, byExchange) in byVhost {
                for permission in byExchange.values { access.setTopicPermission(permission, user: user, vhost: vhost) }
            }
        }
        accessDirectory.publish(access)
    }

    /// After a failed save: the users and permissions on disk, exactly.
    func rollBackAccess(to saved: Definitions) {
        let savedAccess: AccessControl?
        do throws(AMQPError) {
            savedAccess = try Self.accessEntries(saved)
        } catch {
            return  // what is on disk was checked when it was written; keep the current model
        }
        let everyVhost = access.users.values.filter(\.everyVhost).map(\.name)
        var restored = AccessControl()
        restored.loopbackUsers = access.loopbackUsers
        for vhost in vhosts.keys { restored.addVhost(vhost) }
        access = restored
        if let savedAccess { merge(savedAccess) }
        for name in everyVhost {
            guard var user = access.users[name] else { continue }
            user.everyVhost = true
            access.put(user)
        }
        accessDirectory.publish(access)
    }
}
