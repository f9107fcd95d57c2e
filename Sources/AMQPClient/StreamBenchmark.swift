import AMQPWire
import NIOCore

/// A stream queue measured in two phases with the same client against any broker: publish
/// `messages` entries with confirms, then replay them all from `first` with manual acks.
public struct StreamBenchmark: Sendable {
    /// What one run measured.
    public struct Result: Sendable, Codable {
        public var messages: Int
        public var size: Int
        public var publishedPerSecond: Double
        public var replayedPerSecond: Double
    }

    let url: AMQPURL
    let options: ThroughputBenchmark.Options
    /// Leave the stream in place afterwards (to measure the broker holding it).
    let keep: Bool

    /// `options.confirmWindow` and `options.prefetch` must be above 0 (a stream needs both).
    public init(url: AMQPURL, options: ThroughputBenchmark.Options, keep: Bool = false) {
        self.url = url
        self.keep = keep
        var options = options
        options.confirmWindow = max(options.confirmWindow, 1)
        options.prefetch = max(options.prefetch, 1)
        options.maxInFlight = .max  // nothing consumes while publishing
        self.options = options
    }

    public func run() async throws -> Result {
        let connection = try await AMQPClientConnection.connect(to: url)
        defer { Task { await connection.close() } }
        let setup = try await connection.openChannel()
        let queueName = "warren-bench-stream-\(UInt32.random(in: 0 ... .max))"
        try await setup.call(.exchangeDeclare(ExchangeDeclare(exchange: "warren-bench", type: "topic")))
        try await setup.call(.queueDeclare(QueueDeclare(queue: queueName, durable: true, arguments: ["x-queue-type": .longString("stream")])))
        try await setup.call(.queueBind(QueueBind(queue: queueName, exchange: "warren-bench", routingKey: "bench.#")))

        let publishStart = ContinuousClock.now
        let producer = try await connection.openChannel()
        try await producer.call(.confirmSelect(ConfirmSelect()))
        let publishing = BenchmarkPublisher(options: options, counters: Counters(), channel: producer.number,
                                            handler: connection.handler, eventLoop: connection.channel.eventLoop)
        try await connection.onLoop { _ in publishing.start() }
        let published = try await publishing.finished.futureResult.get()

        let replayStart = ContinuousClock.now
        try await setup.call(.basicQos(BasicQos(prefetchCount: UInt16(clamping: options.prefetch))))
        let done = connection.channel.eventLoop.makePromise(of: Void.self)
        let consumed = Counters()
        let total = options.messages
        let number = setup.number
        let handler = connection.handler
        try await setup.consume(queue: queueName, noAck: false, arguments: ["x-stream-offset": .longString("first")]) { delivery in
            let count = consumed.consumed.add(1, ordering: .relaxed).newValue
            handler.value.write(.basicAck(BasicAck(deliveryTag: delivery.deliveryTag)), channel: number)
            if count == total {
                handler.value.flush()
                done.succeed()
            }
        }
        try await done.futureResult.get()
        let replayed = ContinuousClock.now
        if !keep { try await setup.call(.queueDelete(QueueDelete(queue: queueName))) }
        return Result(messages: total, size: options.size, publishedPerSecond: Double(total) / (published - publishStart).seconds,
                      replayedPerSecond: Double(total) / (replayed - replayStart).seconds)
    }
}

extension Duration {
    /// In seconds, with fractions.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
