import AMQPServer
import AMQPWire
import Broker
import Foundation
import Hummingbird

/// `GET /api/tail?pattern=kern.*`: log entries matching the patterns as server-sent events, from an
/// exclusive queue bound to the log exchange that goes away with the browser's connection.
struct LiveTail: Sendable {
    let runtime: BrokerRuntime
    let exchange: String
    let open: OpenStreams

    func response(patterns: [String]) throws -> Response {
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
            let queue = "warren.live-tail.\(UUID().uuidString.prefix(12).lowercased())"
            var commands: [BrokerCommand] = [
                .channelOpened(1),
                .method(1, .queueDeclare(QueueDeclare(queue: queue, exclusive: true, autoDelete: true))),
            ]
            for pattern in patterns {
                commands.append(.method(1, .queueBind(QueueBind(queue: queue, exchange: exchange, routingKey: pattern))))
            }
            commands.append(.method(1, .basicConsume(BasicConsume(queue: queue, noAck: true))))
            connection.send(commands)
            // Entries go to a bounded backlog (a slow page loses the oldest and is told how many);
            // the stream only wakes the writer, or carries the keep-alive comment sent every 5 s
            // so that a browser that left is noticed (the write fails) even when no entry arrives.
            let backlog = SharedLiveTailBacklog()
            let (wakeups, sink) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let entries = Task {
                for await burst in connection.outbound {
                    for case .content(_, .basicDeliver(let deliver), _, let entry) in burst { backlog.append(Self.event(deliver, entry)) }
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
