import AMQPServer
import AMQPWire
import Broker
import Foundation
import Hummingbird

/// The routes of RabbitMQ's management API that warren answers (Docs/operations.md lists them).
struct ManagementAPI: Sendable {
    let runtime: BrokerRuntime
    let auth: Authorization
    let metrics: MetricsEndpoint
    let tail: LiveTail
    /// `http.max_body_size`: a longer request body is answered 413.
    let maxBodySize: Int
    let rates = MessageRates()

    func register(on router: Router<ManagementContext>) {
        router.get("/api/healthchecks/node") { _, _ in try JSONResponse.ok(["status": "ok"]) }
        router.get("/metrics") { _, _ in try await metrics.response() }
        for path in ["/", "/tail"] {
            router.get(RouterPath(stringLiteral: path)) { request, context in
                _ = try auth.user(request, context)
                return LiveTailPage.response()
            }
        }
        router.get("/api/tail") { request, context in
            _ = try auth.user(request, context)
            return try tail.response(patterns: LiveTail.patterns(request.uri.queryParameters.getAll("pattern").map { String($0) }))
        }
        router.get("/api/whoami") { request, context in
            let user = try auth.user(request, context)
            return try JSONResponse.ok(["name": user.name, "tags": user.tags])
        }
        router.get("/api/overview") { request, context in
            _ = try auth.user(request, context)
            return try JSONResponse.ok(try await overview())
        }
        router.get("/api/vhosts") { request, context in
            _ = try auth.user(request, context)
            let queues = try await read { $0.queueSnapshots() }
            let names = try await read { $0.vhostNames }
            return try JSONResponse.ok(names.map { name in
                let own = queues.filter { $0.vhost == name }
                let ready = own.reduce(0) { $0 + $1.messagesReady }
                let unacked = own.reduce(0) { $0 + $1.messagesUnacknowledged }
                return ["name": name, "messages": ready + unacked, "messages_ready": ready, "messages_unacknowledged": unacked] as [String: Any]
            })
        }
        router.get("/api/users") { request, context in
            _ = try auth.administrator(request, context)
            return try JSONResponse.ok(auth.users.users.values.sorted { $0.name < $1.name }.map {
                ["name": $0.name, "tags": $0.tags, "hashing_algorithm": "rabbit_password_hashing_sha256"] as [String: Any]
            })
        }
        router.get("/api/connections") { request, context in
            _ = try auth.user(request, context)
            return try JSONResponse.ok(try await read { $0.connectionSnapshots() }.map(JSONResponse.connection))
        }
        router.get("/api/channels") { request, context in
            _ = try auth.user(request, context)
            return try JSONResponse.ok(try await read { $0.channelSnapshots() }.map(JSONResponse.channel))
        }
        router.get("/api/consumers") { request, context in
            _ = try auth.user(request, context)
            return try JSONResponse.ok(try await read { $0.consumerSnapshots() }.map(JSONResponse.consumer))
        }
        registerQueues(on: router)
        registerExchanges(on: router)
        registerBindings(on: router)
        registerDefinitions(on: router)
    }

    /// Runs a read on the broker's loop and returns its value.
    func read<T: Sendable>(_ body: @escaping @Sendable (Broker) -> T) async throws -> T {
        try await runtime.withBrokerResult { body($0) }
    }

    /// Runs a change on the broker's loop; broker refusals become RabbitMQ-style API errors.
    func change<T: Sendable>(_ body: @escaping @Sendable (Broker) throws(AMQPError) -> T) async throws -> T {
        let outcome: Result<T, AMQPError> = try await runtime.withBrokerResult { broker in
            do throws(AMQPError) { return .success(try body(broker)) } catch { return .failure(error) }
        }
        switch outcome {
        case .success(let value): return value
        case .failure(let error): throw APIError.broker(error)
        }
    }

    private func overview() async throws -> [String: Any] {
        let queues = try await read { $0.queueSnapshots() }
        let exchanges = try await read { $0.exchangeSnapshots().count }
        let connections = try await read { $0.connectionSnapshots() }
        let totals = try await read { $0.vhostCounts.values.reduce(into: MessageCounts()) { sum, counts in
            sum.published += counts.published
            sum.delivered += counts.delivered
            sum.redelivered += counts.redelivered
            sum.acknowledged += counts.acknowledged
            sum.returned += counts.returned
        } }
        let ready = queues.reduce(0) { $0 + $1.messagesReady }
        let unacked = queues.reduce(0) { $0 + $1.messagesUnacknowledged }
        return [
            "management_version": "3.10.8", "rabbitmq_version": "3.10.8", "product_name": "warren",
            "product_version": "0.1.0", "node": JSONResponse.node, "cluster_name": JSONResponse.node,
            "object_totals": ["connections": connections.count, "channels": connections.reduce(0) { $0 + $1.channels },
                              "exchanges": exchanges, "queues": queues.count,
                              "consumers": queues.reduce(0) { $0 + $1.consumers }],
            "queue_totals": ["messages": ready + unacked, "messages_ready": ready, "messages_unacknowledged": unacked],
            "message_stats": rates.stats(totals, key: "overview"),
        ]
    }
}
