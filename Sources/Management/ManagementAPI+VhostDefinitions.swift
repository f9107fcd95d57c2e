import AMQPWire
import Broker
import Foundation
import Hummingbird

/// Definitions of one vhost (`/api/definitions/{vhost}`, `rabbitmqadmin -V vhost export|import`)
/// in RabbitMQ's shape: queues, exchanges and bindings without a `vhost` field, no `vhosts` list.
extension ManagementAPI {
    func registerVhostDefinitions(on router: Router<ManagementContext>) {
        router.get("/api/definitions/:vhost") { request, context in
            _ = try auth.administrator(request, context)
            let vhost = try RequestInput.name("vhost", context)
            guard try await read({ $0.vhost(vhost) != nil }) else { throw APIError.notFound }
            return try JSONResponse.ok(DefinitionsDocument.ofVhost(vhost, from: try await exportedDefinitions()))
        }
        router.post("/api/definitions/:vhost") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let vhost = try RequestInput.name("vhost", context)
            guard try await read({ $0.vhost(vhost) != nil }) else { throw APIError.notFound }
            let data = try DefinitionsDocument.normalized(try await RequestInput.data(&request, upTo: maxBodySize), vhost: vhost)
            let definitions = try RequestInput.definitions(data)
            try await change { broker throws(AMQPError) in try broker.importDefinitions(definitions) }
            return JSONResponse.noContent()
        }
    }

    /// Every durable definition as RabbitMQ's export JSON; 400 naming a value JSON cannot hold.
    func exportedDefinitions() async throws -> [String: Any] {
        let definitions = try await read { $0.exportDefinitions() }
        let data: Data
        do {
            data = try JSONEncoder().encode(definitions)
        } catch EncodingError.invalidValue(_, let context) {
            throw APIError.badRequest("cannot export definitions: \(context.debugDescription)")
        }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}

/// Reshaping definitions documents between RabbitMQ's whole-node and per-vhost forms.
enum DefinitionsDocument {
    static let vhostScoped = ["queues", "exchanges", "bindings"]
    static let lists = ["vhosts", "queues", "exchanges", "bindings"]

    /// One vhost's part of a whole-node export.
    static func ofVhost(_ vhost: String, from document: [String: Any]) -> [String: Any] {
        var result = document
        result["vhosts"] = nil
        for key in vhostScoped + ["policies", "parameters"] {
            guard let objects = document[key] as? [[String: Any]] else { continue }
            let own = objects.filter { $0["vhost"] as? String == vhost }
            result[key] = vhostScoped.contains(key) ? own.map { $0.filter { $0.key != "vhost" } } : own
        }
        return result
    }

    /// An uploaded document as the importer reads it: lists it lacks are empty (RabbitMQ imports
    /// partial files), and with `vhost` every object is put in that vhost; 400 when it is not a JSON object.
    static func normalized(_ data: Data, vhost: String?) throws -> Data {
        guard var document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("invalid definitions: the body is not a JSON object")
        }
        for key in lists where document[key] == nil { document[key] = [Any]() }
        if let vhost {
            document["vhosts"] = [Any]()
            for key in vhostScoped + ["policies", "parameters"] {
                guard let objects = document[key] as? [[String: Any]] else { continue }
                document[key] = objects.map { $0.merging(["vhost": vhost]) { _, scoped in scoped } }
            }
        }
        return try JSONSerialization.data(withJSONObject: document)
    }
}
