import Testing

@testable import Broker

@Suite struct AccessControlTests {
    private func model() throws -> AccessControl {
        var access = AccessControl()
        access.addVhost("/")
        access.addVhost("logs")
        access.put(UserAccount(name: "alice", passwordHash: ""))
        access.put(UserAccount(name: "legacy", passwordHash: "", everyVhost: true))
        access.setPermissions(VhostPermissions(configure: try PermissionRegex("^amq\\.gen.*"), write: try PermissionRegex("^amq\\.gen.*"),
                                               read: try PermissionRegex("^(amq\\.gen.*|topic_logs)$")),
                              user: "alice", vhost: "/")
        access.setTopicPermission(try TopicPermission(exchange: "topic_logs", write: "^{username}\\.", read: "^auth\\.",
                                                      user: "alice", vhost: "/"), user: "alice", vhost: "/")
        return access
    }

    @Test func aNewUserHasNoPermissionsUntilGranted() throws {
        var access = try model()
        access.put(UserAccount(name: "bob", passwordHash: ""))
        #expect(!access.mayOpen(user: "bob", vhost: "/"))
        #expect(access.refusal(.read, "queue", "q", user: "bob", vhost: "/") == "access to queue 'q' in vhost '/' refused for user 'bob'")
    }

    @Test func configUsersWithoutVhostsKeepFullAccessEverywhere() throws {
        var access = try model()
        #expect(access.mayOpen(user: "legacy", vhost: "logs"))
        access.addVhost("later")
        #expect(access.refusal(.configure, "exchange", "x", user: "legacy", vhost: "later") == nil)
        #expect(!access.mayOpen(user: "legacy", vhost: "missing"))
    }

    @Test func resourceChecksUseThePatternOfTheirKind() throws {
        let access = try model()
        #expect(access.mayOpen(user: "alice", vhost: "/"))
        #expect(!access.mayOpen(user: "alice", vhost: "logs"))
        #expect(access.refusal(.configure, "queue", "amq.gen-x", user: "alice", vhost: "/") == nil)
        #expect(access.refusal(.read, "exchange", "topic_logs", user: "alice", vhost: "/") == nil)
        #expect(access.refusal(.write, "exchange", "topic_logs", user: "alice", vhost: "/")
            == "access to exchange 'topic_logs' in vhost '/' refused for user 'alice'")
        #expect(access.refusal(.write, "exchange", "", user: "alice", vhost: "/")
            == "access to exchange 'amq.default' in vhost '/' refused for user 'alice'")
    }

    @Test func topicPermissionsSubstituteVariablesAndDefaultToAllowed() throws {
        let access = try model()
        #expect(access.topicRefusal(.read, exchange: "topic_logs", key: "auth.info", user: "alice", vhost: "/") == nil)
        #expect(access.topicRefusal(.read, exchange: "topic_logs", key: "kern.*", user: "alice", vhost: "/")
            == "access to topic 'kern.*' in exchange 'topic_logs' in vhost '/' refused for user 'alice'")
        #expect(access.topicRefusal(.write, exchange: "topic_logs", key: "alice.x", user: "alice", vhost: "/") == nil)
        #expect(access.topicRefusal(.write, exchange: "topic_logs", key: "bob.x", user: "alice", vhost: "/") != nil)
        #expect(access.topicRefusal(.read, exchange: "amq.topic", key: "kern.info", user: "alice", vhost: "/") == nil)
    }

    @Test func substitutedNamesAreLiterals() throws {
        let permission = try TopicPermission(exchange: "x", write: "^{username}$", read: "", user: "a.b", vhost: "/")
        #expect(permission.allows(.write, routingKey: "a.b"))
        #expect(!permission.allows(.write, routingKey: "aXb"))
    }

    @Test func deletingAUserOrVhostTakesItsPermissions() throws {
        var access = try model()
        access.removeVhost("/")
        #expect(access.permissions["alice"]?["/"] == nil)
        #expect(access.topicPermissions["alice"]?["/"] == nil)
        access.deleteUser("alice")
        #expect(access.users["alice"] == nil && access.permissions["alice"] == nil)
    }
}
