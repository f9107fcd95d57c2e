import AMQPClient
import AMQPWire
import ArgumentParser
import Foundation

/// `warren tail PATTERN…`: an exclusive queue bound to each pattern, printing what arrives.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print messages whose routing key matches the patterns (e.g. 'kern.*' '*.critical'), as 'routing_key: body'."
    )

    @OptionGroup var client: ClientOptions
    @Option(help: "Topic exchange to bind to.") var exchange = "topic_logs"
    @Argument(help: "Binding patterns; * is one word, # is zero or more words.") var patterns: [String] = ["#"]

    func run() async throws {
        let connection = try await AMQPClientConnection.connect(to: try client.parsedURL())
        let channel = try await connection.openChannel()
        do {
            guard case .queueDeclareOk(let ok) = try await channel.call(.queueDeclare(QueueDeclare(exclusive: true))) else {
                throw CommandFailure("unexpected reply to queue.declare")
            }
            for pattern in patterns {
                try await channel.call(.queueBind(QueueBind(queue: ok.queue, exchange: exchange, routingKey: pattern)))
            }
            try await channel.consume(queue: ok.queue, noAck: true) { delivery in
                let body = String(decoding: delivery.body.readableBytesView, as: UTF8.self)
                FileHandle.standardOutput.write(Data("\(delivery.routingKey): \(body)\n".utf8))
            }
            try await connection.closed()
        } catch let error as AMQPClientError {
            throw CommandFailure("\(error)")
        }
    }
}
