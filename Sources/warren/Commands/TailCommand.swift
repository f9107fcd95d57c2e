import AMQPClient
import AMQPWire
import ArgumentParser
import Foundation

/// `warren tail PATTERN…`: a queue bound to each pattern on the log exchange, one line per entry.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print log entries whose routing key matches the patterns (e.g. 'kern.*' '*.critical').",
        discussion: """
            Each entry is one line: time, host, app, routing key, message; coloured by severity when stdout \
            is a terminal. Without --durable the queue is exclusive and goes away with the command; with \
            --durable NAME a durable queue keeps entries while no one listens, each acknowledged after it is printed.

            With --since, --until or --from-offset the entries come from the log stream (see [streams] in the \
            config): those since the time (or from the offset) are replayed, then new ones follow as they arrive, \
            with nothing missed or repeated in between; with --until it stops after the entries before that time. \
            The patterns are matched by the server (x-warren-match). Times are intervals back from now (1h, 30m, \
            7D), ISO 8601 times or Unix seconds.
            """
    )

    @OptionGroup var client: ClientOptions
    @Option(help: "Topic exchange to bind to.") var exchange = "topic_logs"
    @Flag(help: "Print each message body (the entry's JSON) as it arrived.") var json = false
    @Flag(help: "Never colour (NO_COLOR in the environment does the same).") var noColor = false
    @Option(help: "Use (or create) this durable queue, acknowledging each entry after printing it.") var durable: String?
    @Option(help: "Unacknowledged entries in flight with --durable.") var prefetch: UInt16 = 100
    @Option(help: "With --durable: keep at most N entries (x-max-length; the oldest are dropped).") var maxLength: Int?
    @Option(help: "With --durable: drop entries older than this many seconds (x-message-ttl).") var ttl: Int?
    @Option(help: "Replay the log stream from this time, then follow (1h, 2026-12-07T03:00:00Z, Unix seconds).")
    var since: String?
    @Option(help: "Stop after the stream's entries before this time (same forms as --since).") var until: String?
    @Option(help: "Replay the log stream from this offset, then follow.") var fromOffset: UInt64?
    @Option(help: "The stream --since, --until and --from-offset read.") var stream = "logs"
    @Argument(help: "Binding patterns; * is one word, # is zero or more words.") var patterns: [String] = ["#"]

    /// Whether the entries come from the log stream rather than a queue of their own.
    var readsStream: Bool { since != nil || until != nil || fromOffset != nil }

    func validate() throws {
        if durable == nil && (maxLength != nil || ttl != nil) {
            throw ValidationError("--max-length and --ttl apply to a --durable queue")
        }
        if let maxLength, maxLength < 0 { throw ValidationError("--max-length must not be negative") }
        if let ttl, ttl < 0 || ttl > Int(UInt32.max) / 1000 { throw ValidationError("--ttl out of range: \(ttl)") }
        if durable?.isEmpty == true { throw ValidationError("--durable needs a queue name") }
        if readsStream && durable != nil { throw ValidationError("--durable does not combine with --since, --until or --from-offset") }
        if since != nil && fromOffset != nil { throw ValidationError("give --since or --from-offset, not both") }
        for time in [since, until].compactMap({ $0 }) {
            do { _ = try TimeArgument(parsing: time) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        let connection = try await AMQPClientConnection.connect(to: try client.parsedURL())
        let channel = try await connection.openChannel()
        let printer = TailPrinter(json: json, formatter: LogLineFormatter(color: ColorChoice.standardOutput(noColorFlag: noColor)))
        if readsStream { return try await replay(connection: connection, channel: channel, printer: printer) }
        do {
            let queue = try await declareQueue(on: channel)
            for pattern in patterns {
                try await channel.call(.queueBind(QueueBind(queue: queue, exchange: exchange, routingKey: pattern)))
            }
            let acknowledge = durable != nil
            if acknowledge { try await channel.call(.basicQos(BasicQos(prefetchCount: prefetch))) }
            let (deliveries, continuation) = AsyncStream.makeStream(of: Delivery.self)
            try await channel.consume(queue: queue, noAck: !acknowledge) { continuation.yield($0) }
            FileHandle.standardError.write(Data("tail: queue \(queue) bound to \(patterns.joined(separator: " ")) on \(exchange)\n".utf8))
            try await print(deliveries, finishing: continuation, connection: connection, channel: channel, printer: printer,
                            acknowledge: acknowledge)
        } catch let error as AMQPClientError {
            throw CommandFailure("\(error)")
        }
    }

    /// Prints (and acknowledges) deliveries until the connection closes, the stream finishes (a
    /// cancelled consumer) or SIGINT/SIGTERM: what has arrived is printed, then the connection is
    /// closed (the rest is requeued).
    func print(_ deliveries: AsyncStream<Delivery>, finishing continuation: AsyncStream<Delivery>.Continuation,
               connection: AMQPClientConnection, channel: AMQPClientChannel, printer: TailPrinter, acknowledge: Bool) async throws {
        let watcher = Task {
            defer { continuation.finish() }
            try await connection.closed()
        }
        let stop = await StopSignal.watch { continuation.finish() }
        defer { stop.cancel() }
        for await delivery in deliveries {
            printer.print(delivery)
            if acknowledge { try await channel.ack(delivery.deliveryTag) }
        }
        await connection.close()
        try await watcher.value
    }

    /// An exclusive server-named queue, or the named durable one with its optional limits.
    private func declareQueue(on channel: AMQPClientChannel) async throws -> String {
        var declare = QueueDeclare(exclusive: true)
        if let durable {
            declare = QueueDeclare(queue: durable, durable: true)
            if let maxLength { declare.arguments["x-max-length"] = .int64(Int64(maxLength)) }
            if let ttl { declare.arguments["x-message-ttl"] = .int64(Int64(ttl) * 1000) }
        }
        guard case .queueDeclareOk(let ok) = try await channel.call(.queueDeclare(declare)) else {
            throw CommandFailure("unexpected reply to queue.declare")
        }
        return ok.queue
    }
}

/// Writes each delivery to stdout: the formatted line, or with --json the body as it arrived.
struct TailPrinter: Sendable {
    var json: Bool
    var formatter: LogLineFormatter

    func print(_ delivery: Delivery) {
        let body = Data(delivery.body.readableBytesView)
        let line = json ? String(decoding: body, as: UTF8.self) : formatter.line(routingKey: delivery.routingKey, body: body)
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
