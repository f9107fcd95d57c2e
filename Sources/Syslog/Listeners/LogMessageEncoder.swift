import AMQPWire
import Broker
import Foundation
import NIOCore

/// Turns a collected entry into the message published on the log exchange: routing key
/// `<facility>.<severity>`, persistent, JSON (or raw) body, and the entry's facility, severity,
/// hostname and app_name as AMQP headers so a headers exchange or a consumer can filter on them.
/// The collector publishes it in-process; `warren emit` and `warren ship` send the same over AMQP.
public struct LogMessageEncoder: Sendable {
    public let format: SyslogListenerConfiguration.BodyFormat

    public init(format: SyslogListenerConfiguration.BodyFormat) {
        self.format = format
    }

    /// Body and properties of the message for `entry`; `frame` is the original bytes (the raw body).
    public func message(for entry: LogEntry, frame: ByteBuffer, peer: String, receivedAt: Date)
        -> (properties: BasicProperties, body: ByteBuffer) {
        let body: ByteBuffer
        switch format {
        case .json: body = entry.jsonBody(receivedAt: receivedAt, peer: peer)
        case .raw: body = frame
        }
        var headers: FieldTable = ["facility": .longString(entry.facility.name), "severity": .longString(entry.severity.name)]
        if let hostname = entry.hostname { headers["hostname"] = .longString(hostname) }
        if let appName = entry.appName { headers["app_name"] = .longString(appName) }
        let properties = BasicProperties(
            contentType: format == .json ? "application/json" : "text/plain",
            headers: headers, deliveryMode: 2,
            timestamp: UInt64(max(0, receivedAt.timeIntervalSince1970)))
        return (properties, body)
    }

    func encode(_ entry: LogEntry, frame: ByteBuffer, peer: String, receivedAt: Date) -> InternalPublish {
        let (properties, body) = message(for: entry, frame: frame, peer: peer, receivedAt: receivedAt)
        return InternalPublish(routingKey: entry.routingKey,
                               header: ContentHeader(bodySize: UInt64(body.readableBytes), properties: properties), body: body)
    }
}
