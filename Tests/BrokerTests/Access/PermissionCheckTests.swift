import AMQPWire
import Testing

@testable import Broker

/// RabbitMQ's "How Permissions Work" table, row by row, through a checked connection.
@Suite struct PermissionCheckTests {
    let broker = Broker()
    let admin: TestClient
    let alice: TestClient

    init() throws {
        broker.putUser(UserAccount(name: "alice", passwordHash: ""))
        // configure: own queues; write: own queues and `in`; read: own queues and `out`.
        try broker.setPermissions(user: "alice", vhost: "/", configure: "^alice\\.", write: "^(alice\\..*|in|amq\\.default)$",
                                  read: "^(alice\\..*|out)$")
        admin = TestClient(broker, id: 1)
        alice = TestClient(broker, id: 2, user: "alice", checked: true)
        admin.open()
        alice.open()
        for name in ["in", "out", "other"] { admin.declareExchange(name, type: "topic") }
        admin.declareQueue("q")
    }

    private func refused(_ out: [Outbound], _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .closeChannel(_, let error)? = out.first(where: { if case .closeChannel = $0 { true } else { false } }) else {
            Issue.record("expected channel.close, got \(out)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.code == .accessRefused, sourceLocation: sourceLocation)
        #expect(error.text == "ACCESS_REFUSED - " + text, sourceLocation: sourceLocation)
        alice.open()
    }

    @Test func declaresAndDeletesNeedConfigure() {
        alice.declareQueue("alice.q")
        refused(alice.call(.queueDeclare(QueueDeclare(queue: "q"))), "access to queue 'q' in vhost '/' refused for user 'alice'")
        refused(alice.call(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "direct"))),
                "access to exchange 'x' in vhost '/' refused for user 'alice'")
        refused(alice.call(.exchangeDelete(ExchangeDelete(exchange: "in"))), "access to exchange 'in' in vhost '/' refused for user 'alice'")
        refused(alice.call(.queueDelete(QueueDelete(queue: "q"))), "access to queue 'q' in vhost '/' refused for user 'alice'")
        alice.declareExchange("alice.x", type: "fanout")
    }

    @Test func aDeadLetterExchangeNeedsWriteOnItAndReadOnTheQueue() {
        refused(alice.call(.queueDeclare(QueueDeclare(queue: "alice.dl", arguments: ["x-dead-letter-exchange": .longString("out")]))),
                "access to exchange 'out' in vhost '/' refused for user 'alice'")
        alice.declareQueue("alice.dl", arguments: ["x-dead-letter-exchange": .longString("in")])
    }

    @Test func serverNamedQueuesNeedConfigureOnTheGeneratedName() {
        let out = alice.call(.queueDeclare(QueueDeclare(queue: "", exclusive: true)))
        guard case .closeChannel(_, let error)? = out.last else {
            Issue.record("expected a refusal: \(out)")
            return
        }
        #expect(error.text.hasPrefix("ACCESS_REFUSED - access to queue 'amq.gen-"))
    }

    @Test func passiveDeclaresNeedNoPermission() {
        #expect(alice.call(.queueDeclare(QueueDeclare(queue: "q", passive: true))).declareOk != nil)
        expectMethods(alice.call(.exchangeDeclare(ExchangeDeclare(exchange: "other", type: "topic", passive: true))), [.exchangeDeclareOk])
    }

    @Test func bindNeedsWriteOnTheQueueAndReadOnTheExchange() {
        alice.declareQueue("alice.q")
        alice.bindQueue("alice.q", to: "out", key: "k")
        refused(alice.call(.queueBind(QueueBind(queue: "alice.q", exchange: "other", routingKey: "k"))),
                "access to exchange 'other' in vhost '/' refused for user 'alice'")
        refused(alice.call(.queueBind(QueueBind(queue: "q", exchange: "out", routingKey: "k"))),
                "access to queue 'q' in vhost '/' refused for user 'alice'")
        refused(alice.call(.queueUnbind(QueueUnbind(queue: "q", exchange: "out", routingKey: "k"))),
                "access to queue 'q' in vhost '/' refused for user 'alice'")
        expectMethods(alice.call(.exchangeBind(ExchangeBind(destination: "in", source: "out", routingKey: "k"))), [.exchangeBindOk])
        refused(alice.call(.exchangeBind(ExchangeBind(destination: "other", source: "out", routingKey: "k"))),
                "access to exchange 'other' in vhost '/' refused for user 'alice'")
    }

    @Test func publishNeedsWriteOnTheExchange() {
        #expect(alice.publish("m", exchange: "in", key: "k").isEmpty)
        #expect(alice.publish("m", key: "q").isEmpty)  // write on amq.default
        refused(alice.publish("m", exchange: "out", key: "k"), "access to exchange 'out' in vhost '/' refused for user 'alice'")
    }

    @Test func aUserIDPropertyMustNameThePublisher() {
        #expect(alice.publish("m", exchange: "in", key: "k", properties: BasicProperties(userID: "alice")).isEmpty)
        let out = alice.publish("m", exchange: "in", key: "k", properties: BasicProperties(userID: "root"))
        guard case .closeChannel(_, let error)? = out.last else {
            Issue.record("expected channel.close, got \(out)")
            return
        }
        #expect(error.text == "PRECONDITION_FAILED - user_id property set to 'root' but authenticated user was 'alice'")
        broker.putUser(UserAccount(name: "alice", passwordHash: "", tags: ["impersonator"]))
        alice.open()
        #expect(alice.publish("m", exchange: "in", key: "k", properties: BasicProperties(userID: "root")).isEmpty)
    }

    @Test func consumeGetAndPurgeNeedReadOnTheQueue() {
        refused(alice.call(.basicGet(BasicGet(queue: "q"))), "access to queue 'q' in vhost '/' refused for user 'alice'")
        refused(alice.call(.basicConsume(BasicConsume(queue: "q"))), "access to queue 'q' in vhost '/' refused for user 'alice'")
        refused(alice.call(.queuePurge(QueuePurge(queue: "q"))), "access to queue 'q' in vhost '/' refused for user 'alice'")
        alice.declareQueue("alice.q")
        expectMethods(alice.call(.basicGet(BasicGet(queue: "alice.q"))), [.basicGetEmpty])
    }

    @Test func topicPermissionsCheckRoutingAndBindingKeys() throws {
        try broker.setTopicPermission(user: "alice", vhost: "/", exchange: "in", write: "^kern\\.", read: "")
        try broker.setTopicPermission(user: "alice", vhost: "/", exchange: "out", write: "", read: "^auth\\.")
        #expect(alice.publish("m", exchange: "in", key: "kern.info").isEmpty)
        refused(alice.publish("m", exchange: "in", key: "auth.info"),
                "access to topic 'auth.info' in exchange 'in' in vhost '/' refused for user 'alice'")
        alice.declareQueue("alice.q")
        alice.bindQueue("alice.q", to: "out", key: "auth.*")
        refused(alice.call(.queueBind(QueueBind(queue: "alice.q", exchange: "out", routingKey: "kern.*"))),
                "access to topic 'kern.*' in exchange 'out' in vhost '/' refused for user 'alice'")
    }

    @Test func changesHoldForTheNextOperation() throws {
        #expect(alice.publish("m", exchange: "in", key: "k").isEmpty)  // passed, and remembered
        try broker.clearPermissions(user: "alice", vhost: "/")
        refused(alice.publish("m", exchange: "in", key: "k"), "access to exchange 'in' in vhost '/' refused for user 'alice'")
    }

    @Test func deletingTheUserClosesItsConnections() throws {
        try broker.deleteUser("alice")
        guard case .closeConnection(let error)? = alice.take().last else {
            Issue.record("expected connection.close")
            return
        }
        #expect(error.code == .connectionForced && error.text == "CONNECTION_FORCED - user 'alice' is deleted")
        #expect(admin.take().isEmpty)
    }

    @Test func deletingAVhostClosesItsConnectionsAndDropsItsObjects() throws {
        try broker.putVhost("v")
        let other = TestClient(broker, id: 3, vhost: "v")
        other.open()
        other.declareQueue("vq")
        try broker.deleteVhost("v")
        guard case .closeConnection(let error)? = other.take().last else {
            Issue.record("expected connection.close")
            return
        }
        #expect(error.text == "CONNECTION_FORCED - vhost 'v' is deleted")
        #expect(broker.vhost("v") == nil && !broker.accessControl.vhosts.contains("v"))
    }
}
