import AMQPServer
import AMQPWire
import Broker
import Foundation
import Hummingbird
import NIOCore
import Upstream

/// The routes of RabbitMQ's management API that warren answers (Docs/operations.md lists them).
struct ManagementAPI: Sendable {
    let runtime: BrokerRuntime
    let auth: Authorization
    let metrics: MetricsEndpoint
    let tail: LiveTail
    let node: NodeInfo
    /// `http.max_body_size`: a longer request body is answered 413.
    let maxBodySize: Int
    /// Sampled every 5 s by the server's `RateSampler`.
    let rates: MessageRates
    let upstreams: UpstreamRegistry
    /// The syslog listeners' counters (`syslog_stats` in the overview; none when no listener runs).
    let syslog: SyslogIntake

    func register(on router: Router<ManagementContext>) {
        router.get("/api/healthchecks/node") { _, _ in
            // RabbitMQ's shape: 503 with a reason when the node is not healthy (here: the store cannot write).
            guard let failure = try await read({ $0.persistence?.failure }) else { return try JSONResponse.ok(["status": "ok"]) }
            return try JSONResponse.ok(["status": "failed", "reason": "store cannot write: \(failure)"], status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in try await metrics.response() }
        ConsoleAssets.register(on: router)
        router.get("/tail") { request, context in
            _ = try auth.user(request, context)
            return LiveTailPage.response()
        }
        router.get("/api/tail") { request, context in
            let user = try auth.user(request, context)
            let query = request.uri.queryParameters
            let patterns = try LiveTail.patterns(query.getAll("pattern").map { String($0) })
            try auth.authorizeTail(user, exchange: tail.exchange, patterns: patterns)
            return try tail.response(patterns: patterns, since: LiveTail.since(query["since"].map { String($0) }))
        }
        router.get("/api/overview") { request, context in
            return try JSONResponse.ok(try await overview(try auth.scope(request, context), query: try RateQuery.parse(request)))
        }
        router.get("/api/connections") { request, context in
            let scope = try auth.scope(request, context)
            let list = try ListQuery.parse(request)
            return try JSONResponse.ok(try list.answer(try await read { $0.connectionSnapshots() }
                .filter { scope.shows(connectionOf: $0.user, vhost: $0.vhost) }.map(JSONResponse.connection)))
        }
        router.get("/api/channels") { request, context in
            let scope = try auth.scope(request, context)
            let (query, list) = (try RateQuery.parse(request), try ListQuery.parse(request))
            return try JSONResponse.ok(try list.answer(try await read { $0.channelSnapshots() }.filter { scope.shows(connectionOf: $0.user, vhost: $0.vhost) }.map {
                JSONResponse.channel($0, rates: rates, query: query)
            }))
        }
        router.get("/api/consumers") { request, context in
            let scope = try auth.scope(request, context)
            return try JSONResponse.ok(try await read { $0.consumerSnapshots() }.filter { scope.shows(vhost: $0.vhost) }.map(JSONResponse.consumer))
        }
        registerQueues(on: router)
        registerExchanges(on: router)
        registerBindings(on: router)
        registerDefinitions(on: router)
        registerUsers(on: router)
        registerVhosts(on: router)
        registerPermissions(on: router)
        registerPolicies(on: router)
        registerNodes(on: router)
        registerMessages(on: router)
        registerConnections(on: router)
        registerVhostDefinitions(on: router)
        registerUpstreams(on: router)
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

    /// Totals over the vhosts (and connections) the user may see; rates from the node's history, or
    /// from the one vhost's a user scoped to one vhost sees; the syslog intake for users who see every vhost.
    private func overview(_ scope: ViewScope, query: RateQuery) async throws -> [String: Any] {
        let queues = try await read { $0.queueSnapshots() }.filter { scope.shows(vhost: $0.vhost) }
        let exchanges = try await read { $0.exchangeSnapshots() }.filter { scope.shows(vhost: $0.vhost) }.count
        let connections = try await read { $0.connectionSnapshots() }.filter { scope.shows(connectionOf: $0.user, vhost: $0.vhost) }
        let totals = try await read { $0.vhostCounts.filter { scope.shows(vhost: $0.key) }.values.reduce(into: MessageCounts()) { sum, counts in
            sum.add(counts)
        } }
        let ready = queues.reduce(0) { $0 + $1.messagesReady }
        let unacked = queues.reduce(0) { $0 + $1.messagesUnacknowledged }
        let current = RateField.values(totals, ready: ready, unacknowledged: unacked)
        let onlyVhost = scope.vhosts.count == 1 ? scope.vhosts.first : nil
        let key = scope.showsEveryVhost ? MessageRates.overviewKey
            : onlyVhost.map(MessageRates.vhostKey) ?? MessageRates.unsampledKey
        return [
            "management_version": "3.10.8", "rabbitmq_version": "3.10.8", "product_name": "warren",
            "product_version": Self.version, "node": JSONResponse.node, "cluster_name": JSONResponse.node,
            "object_totals": ["connections": connections.count, "channels": connections.reduce(0) { $0 + $1.channels },
                              "exchanges": exchanges, "queues": queues.count,
                              "consumers": queues.reduce(0) { $0 + $1.consumers }],
            "queue_totals": rates.details(key: key, fields: RateField.lengths, current: current, range: query.lengths),
            "message_stats": rates.details(key: key, fields: RateField.channelCounters, current: current, range: query.messages),
        ].merging(overviewNodeFields()) { own, _ in own }
            .merging(scope.showsEveryVhost && !syslog.counters.isEmpty ? ["syslog_stats": syslogStats(query)] : [:]) { own, _ in own }
    }

    /// Entries received per severity, each with `_details` (rate, and samples over a `msg_rates` range).
    private func syslogStats(_ query: RateQuery) -> [String: Any] {
        rates.details(key: MessageRates.syslogKey, names: SyslogIntake.fields, current: syslog.received(), range: query.messages)
    }
}
