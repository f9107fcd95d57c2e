import AMQPWire

/// The server-properties table of connection.start, advertising what RabbitMQ advertises.
enum ServerProperties {
    static let version = "0.1.0"

    static let capabilities: FieldTable = [
        "publisher_confirms": true,
        "exchange_exchange_bindings": true,
        "basic.nack": true,
        "consumer_cancel_notify": true,
        "connection.blocked": true,
        "consumer_priorities": true,
        "authentication_failure_close": true,
        "per_consumer_qos": true,
        "direct_reply_to": true,
    ]

    static let table: FieldTable = [
        "capabilities": .table(capabilities),
        "cluster_name": "warren",
        "copyright": "warren contributors",
        "information": "warren: syslog collector with an AMQP 0-9-1 broker",
        "platform": "Swift",
        "product": "warren",
        "version": .longString(version),
    ]

    static func start(mechanisms: String) -> ConnectionStart {
        ConnectionStart(
            versionMajor: 0, versionMinor: 9, serverProperties: table,
            mechanisms: Array(mechanisms.utf8), locales: Array("en_US".utf8)
        )
    }
}
