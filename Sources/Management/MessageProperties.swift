import AMQPWire
import Broker
import Foundation

/// A message's basic properties as RabbitMQ's management API writes them in JSON (`delivery_mode`,
/// `headers`, `content_type`, …): read from a publish request, written in a get's answer.
enum MessageProperties {
    /// The properties of a `POST /api/exchanges/{vhost}/{name}/publish` body; 400 for a value of
    /// the wrong type or out of its AMQP range.
    static func parse(_ object: [String: Any]) throws -> BasicProperties {
        func text(_ key: String) throws -> String? {
            guard let raw = object[key] else { return nil }
            guard let value = raw as? String else { throw APIError.badRequest("property \(key) must be a string") }
            return try RequestInput.shortString(value, key)
        }
        func number<T: FixedWidthInteger>(_ key: String, as type: T.Type) throws -> T? {
            guard let raw = object[key] else { return nil }
            guard let exact = RequestInput.integer(raw, as: T.self) else {
                throw APIError.badRequest("property \(key) must be an integer from \(T.min) to \(T.max)")
            }
            return exact
        }
        return BasicProperties(
            contentType: try text("content_type"), contentEncoding: try text("content_encoding"),
            headers: object["headers"] == nil ? nil : try RequestInput.arguments(object, key: "headers"),
            deliveryMode: try number("delivery_mode", as: UInt8.self), priority: try number("priority", as: UInt8.self),
            correlationID: try text("correlation_id"), replyTo: try text("reply_to"), expiration: try text("expiration"),
            messageID: try text("message_id"), timestamp: try number("timestamp", as: UInt64.self), type: try text("type"),
            userID: try text("user_id"), appID: try text("app_id"), clusterID: try text("cluster_id"))
    }

    /// The properties that are set, with RabbitMQ's names.
    static func json(_ properties: BasicProperties) -> [String: Any] {
        var object: [String: Any] = [:]
        let texts: [(String, String?)] = [
            ("content_type", properties.contentType), ("content_encoding", properties.contentEncoding),
            ("correlation_id", properties.correlationID), ("reply_to", properties.replyTo), ("expiration", properties.expiration),
            ("message_id", properties.messageID), ("type", properties.type), ("user_id", properties.userID),
            ("app_id", properties.appID), ("cluster_id", properties.clusterID),
        ]
        for (key, value) in texts { if let value { object[key] = value } }
        if let headers = properties.headers { object["headers"] = JSONResponse.table(headers) }
        if let mode = properties.deliveryMode { object["delivery_mode"] = Int(mode) }
        if let priority = properties.priority { object["priority"] = Int(priority) }
        if let timestamp = properties.timestamp { object["timestamp"] = timestamp }
        return object
    }
}
