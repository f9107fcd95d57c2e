import AMQPClient
import AMQPWire
import Foundation

/// `warren tail --since/--until/--from-offset`: one consumer of the log stream, from the start
/// asked for. The replay and what follows it are one sequence of offsets, so the switch from
/// old entries to new ones can neither miss nor repeat one.
extension TailCommand {
    func replay(connection: AMQPClientConnection, channel: AMQPClientChannel, printer: TailPrinter) async throws {
        do {
            try await channel.call(.basicQos(BasicQos(prefetchCount: max(prefetch, 1))))
            let (deliveries, continuation) = AsyncStream.makeStream(of: Delivery.self)
            try await channel.consume(queue: stream, noAck: false, arguments: try streamArguments(),
                                      onCancel: { continuation.finish() }) { continuation.yield($0) }
            FileHandle.standardError.write(Data("tail: stream \(stream) from \(startDescription) matching \(patterns.joined(separator: " "))\n".utf8))
            try await print(deliveries, finishing: continuation, connection: connection, channel: channel, printer: printer,
                            acknowledge: true)
        } catch let error as AMQPClientError {
            throw CommandFailure("\(error)")
        }
    }

    /// `x-stream-offset`, `x-warren-match` and `x-warren-until` for the consumer.
    func streamArguments() throws -> FieldTable {
        var arguments = FieldTable()
        if let fromOffset {
            arguments["x-stream-offset"] = .int64(Int64(clamping: fromOffset))
        } else if let since {
            arguments["x-stream-offset"] = .timestamp(try TimeArgument(parsing: since).seconds)
        } else {
            arguments["x-stream-offset"] = .longString("first")
        }
        if let until { arguments["x-warren-until"] = .timestamp(try TimeArgument(parsing: until).seconds) }
        if patterns != ["#"] { arguments["x-warren-match"] = .array(patterns.map { .longString($0) }) }
        return arguments
    }

    private var startDescription: String {
        if let fromOffset { return "offset \(fromOffset)" }
        return since.map { "time \($0)" } ?? "the first entry"
    }
}
