import AMQPServer
import AMQPWire
import Broker
import Foundation
import Hummingbird

/// `GET /api/tail?pattern=kern.*`: log entries matching the patterns as server-sent events, from an
/// exclusive queue bound to the log exchange that goes away with the browser's connection; with
/// `since=1h`, from the log stream instead: the entries of that interval, then the new ones.
struct LiveTail: Sendable {
    let runtime: BrokerRuntime
    let exchange: String
    /// The log stream `since` replays.
    let stream: String
    let open: OpenStreams

    func response(patterns: [String], since: String? = nil) throws -> Response {
        guard open.admitsAnother() else {
            throw APIError(status: .serviceUnavailable, error: "service_unavailable",
                           reason: "\(open.limit) live-tail streams are open (max_live_tail_streams)")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let runtime = runtime
        let exchange = exchange
        let open = open
        let body = ResponseBody { writer in
            let connection = InProcessConnection(runtime: runtime, user: "warren-live-tail")
            defer { connection.close() }
            connection.send(since.map { Self.streamSubscription(stream, since: $0, patterns: patterns) }
                ?? Self.queueSubscription(exchange, patterns: patterns))
            // Entries go to a bounded backlog (a slow page loses the oldest and is told how many);
            // the stream only wakes the writer, or carries the keep-alive comment sent every 5 s
            // so that a browser that left is noticed (the write fails) even when no entry arrives.
            let backlog = SharedLiveTailBacklog()
            let (wakeups, sink) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let entries = Task {
                for await burst in connection.outbound {
                    var lastTag: UInt64?
                    for case .content(_, .basicDeliver(let deliver), _, let entry) in burst {
                        backlog.append(Self.event(deliver, entry))
                        lastTag = deliver.deliveryTag
                    }
                    // A stream consumer acknowledges to get more (a queue consumer is no-ack).
                    if since != nil, let lastTag { connection.send([.method(1, .basicAck(BasicAck(deliveryTag: lastTag, multiple: true)))]) }
                    sink.yield(ByteBuffer())
                }
                sink.finish()
            }
            let keepAlive = Task {
                while (try? await Task.sleep(for: Self.keepAliveInterval)) != nil { sink.yield(ByteBuffer(string: ": keep-alive\n\n")) }
            }
            defer {
                entries.cancel()
                keepAlive.cancel()
            }
            // A comment line: a CR or LF inside a pattern would end it and could forge an event.
            let shown = patterns.joined(separator: " ").map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 }
            try await writer.write(ByteBuffer(string: ": subscribed to \(String(shown))\n\n"))
            // An open page must not hold up warren's shutdown: the stream ends when it begins.
            guard let key = open.add(sink) else { return }
            defer { open.remove(key) }
            for await comment in wakeups {
                let (events, dropped) = backlog.takeAll()
                // Each write throws once the browser has gone.
                if dropped > 0 { try await writer.write(ByteBuffer(string: "event: dropped\ndata: \(dropped)\n\n")) }
                if events.readableBytes > 0 { try await writer.write(events) }
                if comment.readableBytes > 0 { try await writer.write(comment) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    static let keepAliveInterval: Duration = .seconds(5)

    /// An exclusive queue bound to the log exchange with each pattern, consumed no-ack.
    static func queueSubscription(_ exchange: String, patterns: [String]) -> [BrokerCommand] {
        let queue = "warren.live-tail.\(UUID().uuidString.prefix(12).lowercased())"
        var commands: [BrokerCommand] = [
            .channelOpened(1),
            .method(1, .queueDeclare(QueueDeclare(queue: queue, exclusive: true, autoDelete: true))),
        ]
        for pattern in patterns {
            commands.append(.method(1, .queueBind(QueueBind(queue: queue, exchange: exchange, routingKey: pattern))))
        }
        commands.append(.method(1, .basicConsume(BasicConsume(queue: queue, noAck: true))))
        return commands
    }

    /// Entries read in flight from the log stream before the page's reader acknowledges them.
    static let streamPrefetch: UInt16 = 1_000

    /// A consumer of the log stream from `since` back, filtered by the patterns on the server.
    static func streamSubscription(_ stream: String, since: String, patterns: [String]) -> [BrokerCommand] {
        var arguments: FieldTable = ["x-stream-offset": .longString(since)]
        if patterns != ["#"] { arguments["x-warren-match"] = .array(patterns.map { .longString($0) }) }
        return [
            .channelOpened(1),
            .method(1, .basicQos(BasicQos(prefetchCount: streamPrefetch))),
            .method(1, .basicConsume(BasicConsume(queue: stream, noAck: false, arguments: arguments))),
        ]
    }

    /// The `since` query value: an interval back from now (`1h`, as `x-max-age`); 400 otherwise.
    static func since(_ value: String?) throws -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard StreamArguments.duration(value) != nil else {
            throw APIError.badRequest("since must be an interval such as 5m, 1h or 7D, not '\(value.prefix(64))'")
        }
        return value
    }

    /// Patterns one stream may bind: each a binding on the log exchange, which costs the broker
    /// work on every bind and unbind, so a URL of thousands cannot stall it.
    static let maxPatterns = 64

    /// The non-empty `pattern` query values (`#` when there are none); 400 past `maxPatterns` or for
    /// a pattern longer than a routing key may be.
    static func patterns(_ values: [String]) throws -> [String] {
        let patterns = values.filter { !$0.isEmpty }
        guard patterns.count <= maxPatterns else {
            throw APIError.badRequest("\(patterns.count) patterns; a live-tail stream binds at most \(maxPatterns)")
        }
        return try patterns.isEmpty ? ["#"] : patterns.map { try RequestInput.shortString($0, "pattern") }
    }

    /// The `entry` event of one delivery: one JSON data line, so nothing in a routing key or body
    /// can end the event or forge another.
    static func event(_ deliver: BasicDeliver, _ body: ByteBuffer) -> ByteBuffer {
        var event = ByteBuffer()
        event.writeString("event: entry\ndata: ")
        event.writeBytes(LiveTailEvent(routingKey: deliver.routingKey, body: body).json)
        event.writeString("\n\n")
        return event
    }
}
