import AMQPServer
import AMQPWire
import Broker
import Foundation
import Hummingbird

/// Users and `whoami`, with RabbitMQ's paths and shapes; changes need `administrator`.
extension ManagementAPI {
    func registerUsers(on router: Router<ManagementContext>) {
        router.get("/api/whoami") { request, context in
            let user = try auth.user(request, context)
            return try JSONResponse.ok(["name": user.name, "tags": user.tags])
        }
        router.get("/api/users") { request, context in
            _ = try auth.administrator(request, context)
            return try JSONResponse.ok(auth.access.current.users.values.sorted { $0.name < $1.name }.map(Self.user))
        }
        router.get("/api/users/without-permissions") { request, context in
            _ = try auth.administrator(request, context)
            let access = auth.access.current
            let granted = Set(access.permissionRows().map(\.user))
            return try JSONResponse.ok(access.users.values.filter { !granted.contains($0.name) }.sorted { $0.name < $1.name }.map(Self.user))
        }
        router.get("/api/users/:user") { request, context in
            _ = try auth.administrator(request, context)
            let name = try RequestInput.parameter("user", context)
            guard let user = auth.access.current.users[name] else { throw APIError.notFound }
            return try JSONResponse.ok(Self.user(user))
        }
        router.put("/api/users/:user") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let name = try RequestInput.userName(try RequestInput.parameter("user", context))
            let body = try await RequestInput.object(&request, upTo: maxBodySize)
            let existing = auth.access.current.users[name]
            let (hash, algorithm) = try Self.passwordHash(body, existing: existing)
            let account = UserAccount(name: name, passwordHash: hash, hashingAlgorithm: algorithm,
                                      tags: try RequestInput.tags(body["tags"]) ?? existing?.tags ?? [],
                                      everyVhost: existing?.everyVhost ?? false)
            try await change { broker in broker.putUser(account) }
            return existing == nil ? JSONResponse.created() : JSONResponse.noContent()
        }
        router.delete("/api/users/:user") { request, context in
            _ = try auth.administrator(request, context)
            let name = try RequestInput.parameter("user", context)
            try await change { broker throws(AMQPError) in try broker.deleteUser(name) }
            return JSONResponse.noContent()
        }
        registerOwnedPermissions(on: router, owners: "users", key: "user") { $0.users[$1] != nil }
    }

    /// The stored hash and its algorithm for a PUT: from `password` (SHA-256), from `password_hash`
    /// with RabbitMQ's `hashing_algorithm`, or the existing ones when neither is given ("" for a
    /// new user: no password login).
    static func passwordHash(_ body: [String: Any], existing: UserAccount?) throws -> (String, String) {
        if let raw = body["password"] {
            guard let password = raw as? String else { throw APIError.badRequest("password must be a string") }
            return (PasswordHash(password: password).base64, UserAccount.sha256)
        }
        if let raw = body["password_hash"] {
            guard let encoded = raw as? String else { throw APIError.badRequest("password_hash must be a string") }
            let name = body["hashing_algorithm"] as? String ?? UserAccount.sha256
            guard let algorithm = PasswordHash.Algorithm(rawValue: name) else {
                throw APIError.badRequest("unsupported hashing algorithm '\(name.prefix(100))'")
            }
            guard encoded.isEmpty || PasswordHash(base64: encoded, algorithm: algorithm) != nil else {
                throw APIError.badRequest("password_hash is not a base64 salted \(algorithm == .sha256 ? "SHA-256" : "SHA-512") hash")
            }
            return (encoded, name)
        }
        return (existing?.passwordHash ?? "", existing?.hashingAlgorithm ?? UserAccount.sha256)
    }

    static func user(_ user: UserAccount) -> [String: Any] {
        ["name": user.name, "password_hash": user.passwordHash, "hashing_algorithm": user.hashingAlgorithm,
         "tags": user.tags, "limits": [String: Any]()]
    }
}
