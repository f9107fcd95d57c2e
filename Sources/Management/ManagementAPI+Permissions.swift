import AMQPWire
import Broker
import Foundation
import Hummingbird

/// Permissions and topic permissions per vhost and user; every route needs `administrator`.
extension ManagementAPI {
    func registerPermissions(on router: Router<ManagementContext>) {
        router.get("/api/permissions") { request, context in
            _ = try auth.administrator(request, context)
            return try JSONResponse.ok(Self.rows("permissions", auth.access.current))
        }
        router.get("/api/permissions/:vhost/:user") { request, context in
            _ = try auth.administrator(request, context)
            let (vhost, user) = (try RequestInput.name("vhost", context), try RequestInput.parameter("user", context))
            guard let row = auth.access.current.permissionRows().first(where: { $0.user == user && $0.vhost == vhost }) else {
                throw APIError.notFound
            }
            return try JSONResponse.ok(Self.permission(row))
        }
        router.put("/api/permissions/:vhost/:user") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let (vhost, user) = (try RequestInput.name("vhost", context), try RequestInput.parameter("user", context))
            let body = try await RequestInput.object(&request, upTo: maxBodySize)
            let (configure, write, read) = (try RequestInput.string(body, "configure"), try RequestInput.string(body, "write"),
                                            try RequestInput.string(body, "read"))
            let existed = auth.access.current.permissions[user]?[vhost] != nil
            try await change { broker throws(AMQPError) in
                try broker.setPermissions(user: user, vhost: vhost, configure: configure, write: write, read: read)
            }
            return existed ? JSONResponse.noContent() : JSONResponse.created()
        }
        router.delete("/api/permissions/:vhost/:user") { request, context in
            _ = try auth.administrator(request, context)
            let (vhost, user) = (try RequestInput.name("vhost", context), try RequestInput.parameter("user", context))
            try await change { broker throws(AMQPError) in try broker.clearPermissions(user: user, vhost: vhost) }
            return JSONResponse.noContent()
        }
        registerTopicPermissions(on: router)
    }

    private func registerTopicPermissions(on router: Router<ManagementContext>) {
        router.get("/api/topic-permissions") { request, context in
            _ = try auth.administrator(request, context)
            return try JSONResponse.ok(Self.rows("topic-permissions", auth.access.current))
        }
        router.get("/api/topic-permissions/:vhost/:user") { request, context in
            _ = try auth.administrator(request, context)
            let (vhost, user) = (try RequestInput.name("vhost", context), try RequestInput.parameter("user", context))
            let rows = auth.access.current.topicPermissionRows().filter { $0.user == user && $0.vhost == vhost }
            guard !rows.isEmpty else { throw APIError.notFound }
            return try JSONResponse.ok(rows.map(Self.topicPermission))
        }
        router.put("/api/topic-permissions/:vhost/:user") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let (vhost, user) = (try RequestInput.name("vhost", context), try RequestInput.parameter("user", context))
            let body = try await RequestInput.object(&request, upTo: maxBodySize)
            let exchange = try RequestInput.shortString(try RequestInput.string(body, "exchange"), "exchange")
            let (write, read) = (try RequestInput.string(body, "write"), try RequestInput.string(body, "read"))
            let existed = auth.access.current.topicPermissions[user]?[vhost]?[exchange] != nil
            try await change { broker throws(AMQPError) in
                try broker.setTopicPermission(user: user, vhost: vhost, exchange: exchange, write: write, read: read)
            }
            return existed ? JSONResponse.noContent() : JSONResponse.created()
        }
        router.delete("/api/topic-permissions/:vhost/:user") { request, context in
            _ = try auth.administrator(request, context)
            let (vhost, user) = (try RequestInput.name("vhost", context), try RequestInput.parameter("user", context))
            let exchange = request.uri.queryParameters.get("exchange")
            try await change { broker throws(AMQPError) in try broker.clearTopicPermissions(user: user, vhost: vhost, exchange: exchange) }
            return JSONResponse.noContent()
        }
    }

    /// `GET /api/{owners}/{name}/permissions` and `/topic-permissions`: the rows of one user
    /// (`key` "user") or vhost (`key` "vhost"); 404 when `exists` says there is no such owner.
    func registerOwnedPermissions(on router: Router<ManagementContext>, owners: String, key: String,
                                  exists: @escaping @Sendable (AccessControl, String) -> Bool) {
        for kind in ["permissions", "topic-permissions"] {
            router.get(RouterPath(stringLiteral: "/api/\(owners)/:\(key)/\(kind)")) { request, context in
                _ = try auth.administrator(request, context)
                let name = try RequestInput.parameter(key, context)
                let access = auth.access.current
                guard exists(access, name) else { throw APIError.notFound }
                return try JSONResponse.ok(Self.rows(kind, access).filter { $0[key] as? String == name })
            }
        }
    }

    /// Every permission (`kind` "permissions") or topic permission ("topic-permissions") in RabbitMQ's shape.
    static func rows(_ kind: String, _ access: AccessControl) -> [[String: Any]] {
        kind == "permissions" ? access.permissionRows().map(permission) : access.topicPermissionRows().map(topicPermission)
    }

    static func permission(_ row: AccessControl.PermissionRow) -> [String: Any] {
        ["user": row.user, "vhost": row.vhost, "configure": row.permissions.configure.source,
         "write": row.permissions.write.source, "read": row.permissions.read.source]
    }

    static func topicPermission(_ row: (user: String, vhost: String, permission: TopicPermission)) -> [String: Any] {
        ["user": row.user, "vhost": row.vhost, "exchange": row.permission.exchange,
         "write": row.permission.write, "read": row.permission.read]
    }
}
