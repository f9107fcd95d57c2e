import AMQPClient
import AMQPWire
import ArgumentParser
import NIOCore

/// `warren emit ROUTING_KEY MESSAGE`: publishes one message, with a publisher confirm.
struct EmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit",
        abstract: "Publish one message (default exchange: topic_logs) and wait for the broker's confirm."
    )

    @OptionGroup var client: ClientOptions
    @Option(help: "Exchange to publish to ('' is the default exchange).") var exchange = "topic_logs"
    @Flag(help: "Mark the message persistent (delivery-mode 2).") var persistent = false
    @Argument(help: "Routing key, e.g. kern.critical") var routingKey: String
    @Argument(help: "Message body (words are joined with spaces).") var message: [String]

    func run() async throws {
        let connection = try await AMQPClientConnection.connect(to: try client.parsedURL())
        let channel = try await connection.openChannel()
        do {
            try await channel.call(.confirmSelect(ConfirmSelect()))
            let confirmed = try await channel.publishConfirmed(
                exchange: exchange, routingKey: routingKey, body: ByteBuffer(string: message.joined(separator: " ")),
                properties: BasicProperties(contentType: "text/plain", deliveryMode: persistent ? 2 : 1))
            await connection.close()
            if !confirmed { throw CommandFailure("the broker refused the message (basic.nack)") }
        } catch let error as AMQPClientError {
            await connection.close()
            throw CommandFailure("\(error)")
        }
    }
}

/// A failure reported to the user as one line, with exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
