import AMQPServer
import AMQPWire
import Broker
import Foundation
import Hummingbird
import NIOCore

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
        router.get("/api/healthchecks/node") { _, _ in
            // RabbitMQ's shape: 503 with a reason when the node is not healthy (here: the store cannot write).
            guard let failure = try await read({ $0.persistence?.failure }) else { return try JSONResponse.ok(["status": "ok"]) }
            return try JSONResponse.ok(["status": "failed", "reason": "store cannot write: \(failure)"], status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in try await metrics.response() }
        for path in ["/", "/tail"] {
            router.get(RouterPath(stringLiteral: path)) { request, context in
                _ = try auth.user(request, context)
                return LiveTailPage.response()
            }
        }
        router.get("/api/tail") { request, context in
            _ = try auth.user(request, context)
            let query = request.uri.queryParameters
            return try tail.response(patterns: LiveTail.patterns(query.getAll("pattern").map { String($0) }),
                                     since: LiveTail.since(query["since"].map { String($0) }))
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

    /// Runs a change on the broker's loop; broker refusals become RabbitMQ-style API errors. It
    /// answers once the definitions it changed are on disk; definitions that cannot be saved are
    /// a 500 (and the broker has gone back to the definitions on disk).
    func change<T: Sendable>(_ body: @escaping @Sendable (Broker) throws(AMQPError) -> T) async throws -> T {
        let eventLoop = runtime.eventLoop
        let outcome: Result<(T, EventLoopFuture<DiskOutcome>), AMQPError> = try await runtime.withBrokerResult { broker in
            do throws(AMQPError) {
                let value = try body(broker)
                let written = eventLoop.makePromise(of: DiskOutcome.self)
                broker.whenDefinitionsSaved { written.succeed($0) }
                return .success((value, written.futureResult))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let (value, written)):
            if case .failed(let reason) = try await written.get() {
                throw APIError(status: .internalServerError, error: "internal_error", reason: "cannot save definitions: \(reason)")
            }
            return value
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
