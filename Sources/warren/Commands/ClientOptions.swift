import AMQPClient
import ArgumentParser

/// `--url` for the commands that talk AMQP to a running warren (or any broker).
struct ClientOptions: ParsableArguments {
    @Option(help: """
        Broker address: amqp://user:pass@host:port/vhost, or amqps://…?cacertfile=ca.pem[&certfile=c.pem&keyfile=c.key\
        &auth_mechanism=external] for TLS (RabbitMQ's URI query parameters).
        """)
    var url: String = "amqp://guest:guest@127.0.0.1:5672/%2F"

    func parsedURL() throws -> AMQPURL {
        do {
            return try AMQPURL(url)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
