import AMQPWire
import Broker
import Foundation
import Hummingbird

/// Vhosts: list (scoped to the vhosts the user may see), show, create and delete.
extension ManagementAPI {
    func registerVhosts(on router: Router<ManagementContext>) {
        router.get("/api/vhosts") { request, context in
            let user = try auth.user(request, context)
            let list = try ListQuery.parse(request)
            let visible = Set(auth.visibleVhosts(user))
            let queues = try await read { $0.queueSnapshots() }
            return try JSONResponse.ok(try list.answer(visible.sorted().map { name in Self.vhost(name, queues: queues) }))
        }
        router.get("/api/vhosts/:vhost") { request, context in
            let user = try auth.user(request, context)
            let name = try RequestInput.name("vhost", context)
            guard auth.visibleVhosts(user).contains(name) else { throw APIError.notFound }
            return try JSONResponse.ok(Self.vhost(name, queues: try await read { $0.queueSnapshots(vhost: name) }))
        }
        router.put("/api/vhosts/:vhost") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let name = try RequestInput.name("vhost", context)
            _ = try await RequestInput.object(&request, upTo: maxBodySize)  // description and tags are not kept
            let existed = auth.access.current.vhosts.contains(name)
            try await change { broker throws(AMQPError) in try broker.putVhost(name) }
            return existed ? JSONResponse.noContent() : JSONResponse.created()
        }
        router.delete("/api/vhosts/:vhost") { request, context in
            _ = try auth.administrator(request, context)
            let name = try RequestInput.name("vhost", context)
            try await change { broker throws(AMQPError) in try broker.deleteVhost(name) }
            return JSONResponse.noContent()
        }
        registerOwnedPermissions(on: router, owners: "vhosts", key: "vhost") { $0.vhosts.contains($1) }
    }

    static func vhost(_ name: String, queues: [QueueSnapshot]) -> [String: Any] {
        let own = queues.filter { $0.vhost == name }
        let ready = own.reduce(0) { $0 + $1.messagesReady }
        let unacked = own.reduce(0) { $0 + $1.messagesUnacknowledged }
        return ["name": name, "messages": ready + unacked, "messages_ready": ready, "messages_unacknowledged": unacked,
                "tracing": false, "description": "", "tags": [String]()]
    }
}
