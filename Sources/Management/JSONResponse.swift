import AMQPWire
import Broker
import Foundation
import Hummingbird

/// JSON bodies with RabbitMQ's field names, built from broker snapshots.
enum JSONResponse {
    static func ok(_ value: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func noContent() -> Response { Response(status: .noContent) }
    static func created() -> Response { Response(status: .created) }

    static func queue(_ queue: QueueSnapshot, rates: MessageRates, query: RateQuery) -> [String: Any] {
        let key = MessageRates.queueKey(vhost: queue.vhost, name: queue.name)
        let current = RateField.values(queue.counts, ready: queue.messagesReady, unacknowledged: queue.messagesUnacknowledged)
        var json: [String: Any] = [
            "message_stats": rates.details(key: key, fields: RateField.queueCounters, current: current, range: query.messages),
            "name": queue.name, "vhost": queue.vhost, "durable": queue.durable, "auto_delete": queue.autoDelete,
            "exclusive": queue.exclusive, "arguments": table(queue.arguments), "node": node,
            "messages": queue.messagesReady + queue.messagesUnacknowledged, "messages_ready": queue.messagesReady,
            "messages_unacknowledged": queue.messagesUnacknowledged, "consumers": queue.consumers, "memory": queue.memory,
            "policy": queue.policy ?? NSNull(), "operator_policy": queue.operatorPolicy ?? NSNull(),
            "effective_policy_definition": table(queue.effectivePolicyDefinition), "state": "running", "type": "classic",
        ].merging(rates.details(key: key, fields: RateField.lengths, current: current, range: query.lengths)) { own, _ in own }
        if let stream = queue.stream { json.merge(streamFields(stream, queue: queue)) { _, new in new } }
        return json
    }

    /// A stream's fields: RabbitMQ's `type`, `messages`, `segments` and `committed_offset`, and
    /// warren's size and first/last offset and time (times as RabbitMQ's ISO 8601 strings; null
    /// for an empty stream).
    private static func streamFields(_ stream: StreamStatus, queue: QueueSnapshot) -> [String: Any] {
        let last: Any = stream.nextOffset == stream.firstOffset ? NSNull() : stream.nextOffset - 1
        return [
            "type": "stream", "messages": queue.messagesReady, "messages_ready": queue.messagesReady,
            "segments": stream.segments, "message_bytes": stream.bytes,
            "committed_offset": last, "first_offset": stream.firstOffset, "last_offset": last,
            "first_timestamp": stream.firstTimestamp.map(isoTime) ?? NSNull(),
            "last_timestamp": stream.lastTimestamp.map(isoTime) ?? NSNull(),
        ]
    }

    private static func isoTime(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    static func exchange(_ exchange: ExchangeSnapshot, rates: MessageRates, query: RateQuery) -> [String: Any] {
        let current = RateField.values(publishedIn: exchange.publishedIn, publishedOut: exchange.publishedOut)
        return [
            "message_stats": rates.details(key: MessageRates.exchangeKey(vhost: exchange.vhost, name: exchange.name),
                                           fields: RateField.exchangeCounters, current: current, range: query.messages),
            "name": exchange.name, "vhost": exchange.vhost, "type": exchange.type, "durable": exchange.durable,
            "auto_delete": exchange.autoDelete, "internal": exchange.internal, "arguments": table(exchange.arguments),
        ]
    }

    static func binding(_ binding: BindingSnapshot) -> [String: Any] {
        [
            "source": binding.source, "vhost": binding.vhost, "destination": binding.destination,
            "destination_type": binding.destinationType, "routing_key": binding.routingKey,
            "arguments": table(binding.arguments), "properties_key": propertiesKey(binding),
        ]
    }

    static func connection(_ connection: ConnectionSnapshot) -> [String: Any] {
        ["name": "connection #\(connection.id)", "user": connection.user, "vhost": connection.vhost,
         "channels": connection.channels, "state": "running", "node": node]
    }

    static func channel(_ channel: ChannelSnapshot, rates: MessageRates, query: RateQuery) -> [String: Any] {
        let connectionName = "connection #\(channel.connection)"
        let stats = rates.details(key: MessageRates.channelKey(connection: channel.connection, number: channel.number),
                                  fields: RateField.channelCounters, current: RateField.values(channel.counts), range: query.messages)
        return ["message_stats": stats, "name": "\(connectionName) (\(channel.number))", "number": Int(channel.number), "user": channel.user,
                "vhost": channel.vhost, "consumer_count": channel.consumers,
                "messages_unacknowledged": channel.unacknowledged, "prefetch_count": channel.prefetch,
                "global_prefetch_count": channel.globalPrefetch, "confirm": channel.confirm,
                "transactional": channel.transactional, "state": "running", "node": node,
                "connection_details": ["name": connectionName]]
    }

    static func consumer(_ consumer: ConsumerSnapshot) -> [String: Any] {
        let connectionName = "connection #\(consumer.connection)"
        var arguments: [String: Any] = [:]
        if consumer.priority != 0 { arguments["x-priority"] = consumer.priority }
        let channel: [String: Any] = ["name": "\(connectionName) (\(consumer.channel))", "number": Int(consumer.channel),
                                      "connection_name": connectionName, "node": node]
        let queue: [String: Any] = ["name": consumer.queue, "vhost": consumer.vhost]
        return ["consumer_tag": consumer.tag, "queue": queue, "ack_required": consumer.ackRequired,
                "exclusive": consumer.exclusive, "prefetch_count": consumer.prefetch, "arguments": arguments,
                "active": true, "activity_status": "up", "channel_details": channel]
    }

    /// The binding's key in URLs (`DELETE /api/bindings/…/:props`), formed as RabbitMQ forms it: the
    /// routing key quoted (`~` when empty and without arguments), and for a binding with arguments
    /// `~` and a digest of them, so bindings that differ only in their arguments have different keys.
    static func propertiesKey(_ binding: BindingSnapshot) -> String {
        let key = binding.routingKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? binding.routingKey
        guard !binding.arguments.entries.isEmpty else { return key.isEmpty ? "~" : key }
        return "\(key)~\(argumentsDigest(binding.arguments))"
    }

    /// FNV-1a (64 bits, hex) of the arguments as JSON with sorted keys: stable across restarts.
    private static func argumentsDigest(_ arguments: FieldTable) -> String {
        let json = (try? JSONSerialization.data(withJSONObject: table(arguments), options: [.sortedKeys])) ?? Data()
        let digest = json.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        return String(digest, radix: 16)
    }

    /// A field table as JSON (through the definitions' JSON mapping).
    static func table(_ table: FieldTable) -> Any {
        if table.entries.isEmpty { return [String: Any]() }  // most queues' arguments: no encoder round trip
        guard let data = try? JSONEncoder().encode(JSONFieldTable(table)),
              let object = try? JSONSerialization.jsonObject(with: data) else { return [String: Any]() }
        return object
    }

    static let node = "warren@localhost"
}
