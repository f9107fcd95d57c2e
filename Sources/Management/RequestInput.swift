import AMQPWire
import Broker
import Foundation
import Hummingbird

/// Reading path parameters and JSON bodies of management requests.
enum RequestInput {
    /// A path parameter, percent-decoded (`%2F` is the vhost `/`).
    static func parameter(_ name: String, _ context: ManagementContext) throws -> String {
        let raw = try context.parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// The body as a JSON object (an empty body is an empty object); 400 otherwise.
    static func object(_ request: inout Request) async throws -> [String: Any] {
        let body = try await request.collectBody(upTo: 64 * 1024 * 1024)
        guard body.readableBytes > 0 else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw APIError.badRequest("the body is not a JSON object")
        }
        return object
    }

    /// The raw body bytes.
    static func data(_ request: inout Request) async throws -> Data {
        Data(try await request.collectBody(upTo: 64 * 1024 * 1024).readableBytesView)
    }

    static func bool(_ object: [String: Any], _ key: String, default value: Bool) throws -> Bool {
        guard let raw = object[key] else { return value }
        guard let flag = raw as? Bool else { throw APIError.badRequest("\(key) must be true or false") }
        return flag
    }

    static func arguments(_ object: [String: Any]) throws -> FieldTable {
        guard let raw = object["arguments"] else { return [:] }
        guard JSONSerialization.isValidJSONObject(["a": raw]), let data = try? JSONSerialization.data(withJSONObject: raw),
              let table = try? JSONDecoder().decode(JSONFieldTable.self, from: data) else {
            throw APIError.badRequest("arguments must be a JSON object")
        }
        return table.table
    }
}
