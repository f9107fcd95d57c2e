import AMQPClient
import AMQPServer
import AMQPWire
import Broker

/// The queues and bindings an upstream needs, locally and on the upstream cluster.
struct UpstreamTopology {
    let configuration: UpstreamConfiguration

    /// Local: the durable queue bound to the exchange with every pattern, and the dead-letter queue.
    func localCommands(channel: UInt16) -> [BrokerCommand] {
        var commands: [BrokerCommand] = [
            .method(channel, .queueDeclare(QueueDeclare(queue: configuration.queueName, durable: true))),
            .method(channel, .queueDeclare(QueueDeclare(queue: configuration.deadLetterQueueName, durable: true))),
        ]
        for pattern in configuration.patterns {
            commands.append(.method(channel, .queueBind(QueueBind(queue: configuration.queueName, exchange: configuration.exchange,
                                                                  routingKey: pattern))))
        }
        return commands
    }

    /// Declares the local side and waits until the broker answered every declaration; throws the
    /// broker's refusal (an exchange that does not exist, a queue declared with other arguments).
    func declareLocally(runtime: BrokerRuntime) async throws {
        let connection = InProcessConnection(runtime: runtime, vhost: configuration.vhost, user: "warren-upstream")
        defer { connection.close() }
        let commands = localCommands(channel: 1)
        connection.send([.channelOpened(1)] + commands)
        var answered = 0
        for await batch in connection.outbound {
            for item in batch {
                switch item {
                case .method(_, .queueDeclareOk), .method(_, .queueBindOk):
                    answered += 1
                case .closeChannel(_, let error), .closeConnection(let error):
                    throw UpstreamConfigError("upstream '\(configuration.name)': cannot set up \(configuration.queueName): \(error.text)")
                default:
                    continue
                }
            }
            if answered == commands.count { return }
        }
        throw CancellationError()
    }

    /// On the upstream: the exchange (topic, durable) and, when configured, the queue and its bindings.
    func declareUpstream(on connection: AMQPClientConnection) async throws {
        let channel = try await connection.openChannel()
        try await channel.call(.exchangeDeclare(ExchangeDeclare(exchange: configuration.upstreamExchange, type: "topic", durable: true)))
        if let queue = configuration.upstreamQueue {
            let arguments: FieldTable = ["x-queue-type": .longString(configuration.upstreamQueueType)]
            try await channel.call(.queueDeclare(QueueDeclare(queue: queue, durable: true, arguments: arguments)))
            for pattern in configuration.patterns {
                try await channel.call(.queueBind(QueueBind(queue: queue, exchange: configuration.upstreamExchange, routingKey: pattern)))
            }
        }
        try await channel.call(.channelClose(ChannelClose(replyCode: 200, replyText: "declared")))
    }
}
