import AMQPServer
import Broker
import Management

/// The limits of `Docs/limits.md` that the config file sets: per connection, per node, per vhost,
/// per channel, and the live-tail streams.
struct LimitSettings: Equatable {
    var connection = ConnectionLimits.rabbitDefaults
    /// `amqp.connection_max`: sockets, handshaking or open. RabbitMQ's default is unlimited; warren's
    /// bounds a flood of sockets well before the process runs out of file descriptors.
    var connectionMax = 4096
    var vhostMaxConnections: [String: Int] = [:]
    var broker = BrokerLimits.defaults
    /// `http.max_live_tail_streams`: event streams open at once; one more is answered 503.
    var maxLiveTailStreams = 64
    /// `http.max_body_size`, `http.max_connections`, `http.idle_timeout`.
    var http = HTTPLimits.defaults

    mutating func apply(_ file: ConfigFile) throws {
        if let value = file.amqp?.handshakeTimeout {
            connection.handshakeTimeoutMilliseconds = try ServeSettings.ranged(value, 1...86_400_000, key: "amqp.handshake_timeout")
        }
        if let value = file.amqp?.maxMessageSize {
            connection.maxMessageSize = try ServeSettings.ranged(value, 1...Int(ConnectionLimits.maxMessageSizeCeiling),
                                                                 key: "amqp.max_message_size")
        }
        if let value = file.amqp?.connectionMax {
            connectionMax = try ServeSettings.ranged(value, 1...Int.max, key: "amqp.connection_max")
        }
        if let value = file.amqp?.consumerMaxPerChannel {
            broker.consumersPerChannel = try ServeSettings.ranged(value, 1...Int.max, key: "amqp.consumer_max_per_channel")
        }
        if let value = file.amqp?.maxTransactionSize {
            broker.transactionSteps = try ServeSettings.ranged(value, 1...Int.max, key: "amqp.max_transaction_size")
        }
        if let value = file.http?.maxLiveTailStreams {
            maxLiveTailStreams = try ServeSettings.ranged(value, 0...Int.max, key: "http.max_live_tail_streams")
        }
        if let value = file.http?.maxBodySize {
            http.maxBodySize = try ServeSettings.ranged(value, 1...Int(Int32.max), key: "http.max_body_size")
        }
        if let value = file.http?.maxConnections {
            http.maxConnections = try ServeSettings.ranged(value, 1...1_000_000, key: "http.max_connections")
        }
        if let value = file.http?.idleTimeout {
            http.idleTimeoutMilliseconds = try ServeSettings.ranged(value, 1...86_400_000, key: "http.idle_timeout")
        }
        for vhost in file.vhosts ?? [] {
            let key = "vhosts[\(vhost.name)]"
            if let value = vhost.maxConnections {
                vhostMaxConnections[vhost.name] = try ServeSettings.ranged(value, 0...Int.max, key: "\(key).max_connections")
            }
            if let value = vhost.maxQueues {
                broker.vhostMaxQueues[vhost.name] = try ServeSettings.ranged(value, 0...Int.max, key: "\(key).max_queues")
            }
        }
    }

    /// The connection counter the AMQP listener admits connections through.
    func connectionAdmission() -> ConnectionAdmission {
        ConnectionAdmission(limits: ConnectionAdmission.Limits(connectionMax: connectionMax, vhostMaxConnections: vhostMaxConnections))
    }
}
