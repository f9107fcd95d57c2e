import Broker
import Hummingbird

/// Closing a client connection over HTTP (`DELETE /api/connections/{name}`, `rabbitmqadmin close
/// connection`), as RabbitMQ's management API does it.
extension ManagementAPI {
    func registerConnections(on router: Router<ManagementContext>) {
        router.delete("/api/connections/:name") { request, context in
            _ = try auth.administrator(request, context)
            let name = try RequestInput.name("name", context)
            // warren names connections `connection #<id>` (JSONResponse.connection).
            guard name.hasPrefix(Self.connectionPrefix), let id = UInt64(name.dropFirst(Self.connectionPrefix.count)) else {
                throw APIError.notFound
            }
            let given = request.headers.first { $0.name.canonicalName == "x-reason" }?.value
            let reason = try RequestInput.shortString(given ?? "Closed via management plugin", "X-Reason")
            guard try await read({ $0.manageCloseConnection(id, reason: reason) }) else { throw APIError.notFound }
            return JSONResponse.noContent()
        }
    }

    static let connectionPrefix = "connection #"
}
