import AMQPClient
import AMQPWire
import ArgumentParser
import Syslog

/// `warren emit FACILITY.SEVERITY MESSAGE`: publishes one log entry, in the collector's JSON entry
/// format, and waits for the broker's confirm.
struct EmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit",
        abstract: "Publish one log entry (JSON, like the syslog collector's) and wait for the broker's confirm."
    )

    @OptionGroup var client: ClientOptions
    @OptionGroup var entry: LocalEntryOptions
    @Argument(help: "Routing key FACILITY.SEVERITY, e.g. kern.critical") var routingKey: String
    @Argument(help: "Message (words are joined with spaces).") var message: [String]

    func validate() throws {
        _ = try source()
    }

    private func source() throws -> LocalEntrySource {
        let words = routingKey.split(separator: ".", omittingEmptySubsequences: false)
        guard words.count == 2 else { throw ValidationError("the routing key must be FACILITY.SEVERITY, got '\(routingKey)'") }
        return entry.source(facility: try Facility.parsed(String(words[0]), what: "facility"),
                            severity: try Severity.parsed(String(words[1]), what: "severity"), defaultApp: "warren-emit")
    }

    func run() async throws {
        let message = try source().message(Array(message.joined(separator: " ").utf8))
        let connection = try await AMQPClientConnection.connect(to: try client.parsedURL())
        let channel = try await connection.openChannel()
        do {
            try await channel.call(.confirmSelect(ConfirmSelect()))
            let confirmed = try await channel.publishConfirmed(
                exchange: entry.exchange, routingKey: message.routingKey, body: message.body, properties: message.properties)
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
