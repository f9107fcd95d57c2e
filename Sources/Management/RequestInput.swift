import AMQPWire
import Broker
import Foundation
import Hummingbird
import NIOCore

/// Reading path parameters and JSON bodies of management requests.
enum RequestInput {
    /// A path parameter, percent-decoded (`%2F` is the vhost `/`).
    static func parameter(_ name: String, _ context: ManagementContext) throws -> String {
        let raw = try context.parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// A path parameter naming a vhost, queue or exchange, percent-decoded; 400 past 255 bytes.
    static func name(_ name: String, _ context: ManagementContext) throws -> String {
        try shortString(parameter(name, context), name)
    }

    /// `value` when it fits an AMQP shortstr (255 UTF-8 bytes), as names and routing keys must:
    /// the wire and the store hold them in one; 400 otherwise.
    static func shortString(_ value: String, _ what: String) throws -> String {
        let length = value.utf8.count
        guard length <= 255 else { throw APIError.badRequest("\(what) is \(length) bytes long; at most 255 are allowed") }
        return value
    }

    /// The body, at most `limit` bytes; 413 when the request announces or sends more.
    static func body(_ request: inout Request, upTo limit: Int) async throws -> ByteBuffer {
        if let announced = request.headers[.contentLength].flatMap({ Int($0) }), announced > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    /// The body as a JSON object (an empty body is an empty object); 400 otherwise, 413 past `limit` bytes.
    static func object(_ request: inout Request, upTo limit: Int) async throws -> [String: Any] {
        let body = try await body(&request, upTo: limit)
        guard body.readableBytes > 0 else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw APIError.badRequest("the body is not a JSON object")
        }
        return object
    }

    /// The raw body bytes; 413 past `limit`.
    static func data(_ request: inout Request, upTo limit: Int) async throws -> Data {
        Data(try await body(&request, upTo: limit).readableBytesView)
    }

    /// A flag: JSON true or false, or the strings "true" and "false" as rabbitmqadmin sends them
    /// (RabbitMQ takes both); 400 otherwise.
    static func bool(_ object: [String: Any], _ key: String, default value: Bool) throws -> Bool {
        switch object[key] {
        case nil: return value
        case let flag as Bool: return flag
        case let text as String where text == "true" || text == "false": return text == "true"
        default: throw APIError.badRequest("\(key) must be true or false")
        }
    }

    /// The field table under `key` (an absent one is empty); 400 when it is not a JSON object an AMQP table can carry.
    static func arguments(_ object: [String: Any], key: String = "arguments") throws -> FieldTable {
        guard let raw = object[key] else { return [:] }
        guard JSONSerialization.isValidJSONObject(["a": raw]), let data = try? JSONSerialization.data(withJSONObject: raw),
              let table = try? JSONDecoder().decode(JSONFieldTable.self, from: data) else {
            throw APIError.badRequest("\(key) must be a JSON object")
        }
        return try carriedByAMQP(table.table)
    }

    /// `arguments` when an AMQP client could have sent them: they survive the wire's encoding (keys
    /// of at most 255 bytes, nesting of at most 64 levels), so what the API declares, the store and
    /// every AMQP peer can hold too; 400 otherwise.
    static func carriedByAMQP(_ arguments: FieldTable) throws -> FieldTable {
        var wire = ByteBuffer()
        wire.writeFieldTable(arguments)
        do {
            guard try wire.readFieldTable() == arguments else {
                throw APIError.badRequest("arguments have a key longer than 255 bytes")
            }
        } catch is WireError {
            throw APIError.badRequest("arguments nest deeper than an AMQP field table may (64 levels)")
        }
        return arguments
    }
}
