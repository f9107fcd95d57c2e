import AMQPServer
import AMQPWire
import Broker
import Foundation
import Hummingbird
import NIOCore

/// Publishing and getting messages over HTTP, as RabbitMQ's management API (and `rabbitmqadmin
/// publish` / `get`) does it: `POST /api/exchanges/{vhost}/{name}/publish`, `POST /api/queues/{vhost}/{name}/get`.
extension ManagementAPI {
    /// At most this many messages are taken by one get, whatever `count` asks.
    static let maxGetCount = 10_000

    func registerMessages(on router: Router<ManagementContext>) {
        router.post("/api/exchanges/:vhost/:name/publish") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let vhost = try RequestInput.name("vhost", context)
            let (name, exchange) = (try RequestInput.name("name", context), try RequestInput.exchangeName(context))
            let body = try await RequestInput.object(&request, upTo: maxBodySize)
            let publish = try RequestInput.publish(body)
            guard try await read({ $0.vhost(vhost) != nil }) else { throw APIError.notFound }
            guard try await read({ $0.vhost(vhost)?.exchanges[exchange] != nil }) else {
                throw APIError.badRequest("404 NOT_FOUND - no exchange '\(name)' in vhost '\(vhost)'")
            }
            let routed = try await durably { broker in broker.publishInternal([publish], exchange: exchange, vhost: vhost) > 0 }
            return try JSONResponse.ok(["routed": routed])
        }
        router.post("/api/queues/:vhost/:name/get") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
            let get = try RequestInput.get(try await RequestInput.object(&request, upTo: maxBodySize))
            let messages = try await change { broker throws(AMQPError) in
                try broker.manageGet(vhost: vhost, queue: name, count: min(get.count, Self.maxGetCount), requeue: get.requeue)
            }
            return try JSONResponse.ok(messages.map { JSONResponse.fetched($0, base64: get.base64, truncate: get.truncate) })
        }
    }

    /// Runs a change on the broker's loop and answers once what it stored is on disk (as RabbitMQ's
    /// HTTP publish waits for its confirm); 500 when it cannot be written.
    private func durably<T: Sendable>(_ body: @escaping @Sendable (Broker) -> T) async throws -> T {
        let eventLoop = runtime.eventLoop
        let (value, written) = try await runtime.withBrokerResult { broker in
            let value = body(broker)
            let written = eventLoop.makePromise(of: DiskOutcome.self)
            if let persistence = broker.persistence {
                persistence.whenDurable { written.succeed($0) }
                persistence.commit()
            } else {
                written.succeed(.written)
            }
            return (value, written.futureResult)
        }
        if case .failed(let reason) = try await written.get() {
            throw APIError(status: .internalServerError, error: "internal_error", reason: "cannot store the message: \(reason)")
        }
        return value
    }
}

extension RequestInput {
    /// The `name` path parameter naming an exchange: `amq.default` is RabbitMQ's URL name of the
    /// default exchange, whose name is empty.
    static func exchangeName(_ context: ManagementContext) throws -> String {
        let name = try name("name", context)
        return name == "amq.default" ? "" : name
    }

    /// What a get request asks for.
    struct GetRequest {
        var count: Int
        var requeue: Bool
        var base64: Bool
        var truncate: Int?
    }

    /// A publish body: `routing_key`, `payload`, `payload_encoding` (`string` or `base64`), `properties`;
    /// 400 (RabbitMQ's `key_missing` text) when one of the first three is missing.
    static func publish(_ body: [String: Any]) throws -> InternalPublish {
        for key in ["routing_key", "payload", "payload_encoding"] where body[key] == nil {
            throw APIError.badRequest("[{key_missing,\(key)}]")
        }
        guard let key = body["routing_key"] as? String, let payload = body["payload"] as? String else {
            throw APIError.badRequest("routing_key and payload must be strings")
        }
        let bytes: [UInt8]
        switch body["payload_encoding"] as? String {
        case "string": bytes = Array(payload.utf8)
        case "base64":
            guard let data = Data(base64Encoded: payload) else { throw APIError.badRequest("payload is not valid base64") }
            bytes = Array(data)
        default: throw APIError.badRequest("payload_encoding must be string or base64")
        }
        guard body["properties"] == nil || body["properties"] is [String: Any] else {
            throw APIError.badRequest("properties must be a JSON object")
        }
        let properties = try MessageProperties.parse(body["properties"] as? [String: Any] ?? [:])
        return InternalPublish(routingKey: try shortString(key, "routing_key"),
                               header: ContentHeader(bodySize: UInt64(bytes.count), properties: properties), body: ByteBuffer(bytes: bytes))
    }

    /// A get body: `count` (a number or, as rabbitmqadmin sends it, a string), `ackmode`,
    /// `encoding` (`auto` or `base64`), optional `truncate`; 400 otherwise.
    static func get(_ body: [String: Any]) throws -> GetRequest {
        for key in ["count", "ackmode", "encoding"] where body[key] == nil { throw APIError.badRequest("[{key_missing,\(key)}]") }
        func integer(_ key: String) throws -> Int? {
            switch body[key] {
            case nil: return nil
            case let text as String: if let value = Int(text), value >= 0 { return value }
            case let raw?: if let value = RequestInput.integer(raw), value >= 0 { return value }
            }
            throw APIError.badRequest("\(key) must be a whole number of at least 0")
        }
        let modes = ["ack_requeue_true", "ack_requeue_false", "reject_requeue_true", "reject_requeue_false"]
        guard let mode = body["ackmode"] as? String, modes.contains(mode) else {
            throw APIError.badRequest("ackmode must be one of \(modes.joined(separator: ", "))")
        }
        guard let encoding = body["encoding"] as? String, ["auto", "base64"].contains(encoding) else {
            throw APIError.badRequest("encoding must be auto or base64")
        }
        return GetRequest(count: try integer("count") ?? 1, requeue: mode.hasSuffix("requeue_true"), base64: encoding == "base64",
                          truncate: try integer("truncate"))
    }
}

extension JSONResponse {
    /// A message a get took, as RabbitMQ shows it: the payload as text when it is UTF-8 (and
    /// `auto` was asked), else base64, cut to `truncate` bytes.
    static func fetched(_ message: FetchedMessage, base64: Bool, truncate: Int?) -> [String: Any] {
        let bytes = message.body.readableBytesView.prefix(truncate ?? Int.max)
        let text = base64 ? nil : String(bytes: bytes, encoding: .utf8)
        // Property bytes were checked when the message arrived; a display needs no error here.
        let properties = (try? message.header.properties()).map(MessageProperties.json) ?? [:]
        return ["payload_bytes": message.body.readableBytes, "redelivered": message.redelivered, "exchange": message.exchange,
                "routing_key": message.routingKey, "message_count": message.remaining, "properties": properties,
                "payload": text ?? Data(bytes).base64EncodedString(), "payload_encoding": text == nil ? "base64" : "string"]
    }
}
