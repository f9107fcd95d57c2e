import AMQPWire
import NIOCore
import Synchronization

/// One producer connection publishing to an exchange bound to one or more queues, and one consumer
/// connection consuming them all, measured end to end: the same client code against any broker,
/// so warren and RabbitMQ can be compared in one run.
public struct ThroughputBenchmark: Sendable {
    public struct Options: Sendable {
        public var messages = 200_000
        /// Body size in bytes; at least `minimumSize` (the send-time stamp).
        public var size = 200
        /// Publisher confirms with at most this many unconfirmed messages; 0 = no confirms.
        public var confirmWindow = 0
        /// Manual acks with this prefetch; 0 = automatic acknowledgement (no-ack).
        public var prefetch = 0
        /// Persistent messages to durable queues.
        public var persistent = false
        /// The bench queues' `x-queue-type` (`quorum`: durable and replicated; like every bench queue,
        /// deleted after the run); nil: classic queues.
        public var queueType: String?
        /// Published messages not yet consumed from each queue are capped here (`Int.max`: no
        /// cap, the socket alone holds the publisher back), so the run can measure a steady flow
        /// rather than how fast a backlog can be built.
        public var maxInFlight = 20_000
        /// `topic`, `direct` or `fanout`.
        public var exchangeType = "topic"
        /// Queues bound to the exchange; every message is delivered once from each (fan-out).
        public var queues = 1
        /// Open loop at this many messages per second; 0 = closed loop, as fast as allowed.
        public var rate = 0
        /// False: publish into the queues with nobody consuming (a backlog), keeping them until
        /// the run's `whilePublished` is done.
        public var consume = true

        public init() {}

        public static let minimumSize = BenchmarkStamp.size

        var exchange: String { exchangeType == "topic" ? "warren-bench" : "warren-bench-\(exchangeType)" }
        var routingKey: String { "bench.info" }
        var bindingKey: String {
            switch exchangeType {
            case "topic": "bench.#"
            case "fanout": ""
            default: routingKey
            }
        }
    }

    /// What one run measured.
    public struct Result: Sendable, Codable {
        public var messages: Int
        public var size: Int
        public var seconds: Double
        public var publishedPerSecond: Double
        /// Deliveries (messages × queues) per second.
        public var consumedPerSecond: Double
        public var confirmed: Int
    }

    let url: AMQPURL
    let options: Options
    let onLatency: (@Sendable (UInt64) -> Void)?
    let whilePublished: (@Sendable () async throws -> Void)?

    /// `onLatency` gets every delivery's latency in nanoseconds (from its stamp), on the
    /// consumer's event loop; `whilePublished` runs after the last confirm, before the queues go.
    public init(url: AMQPURL, options: Options, onLatency: (@Sendable (UInt64) -> Void)? = nil,
                whilePublished: (@Sendable () async throws -> Void)? = nil) {
        self.url = url
        self.options = options
        self.onLatency = onLatency
        self.whilePublished = whilePublished
    }

    public func run() async throws -> Result {
        let consumerConnection = try await AMQPClientConnection.connect(to: url)
        let producerConnection = try await AMQPClientConnection.connect(to: url)
        defer {
            Task { await consumerConnection.close(); await producerConnection.close() }
        }
        let setup = try await consumerConnection.openChannel()
        let queues = try await declareQueues(on: setup)
        let counters = Counters()
        let deliveries = options.messages * options.queues
        let done = consumerConnection.channel.eventLoop.makePromise(of: Void.self)
        if options.consume {
            try await consume(queues, on: setup, handler: consumerConnection.handler, counters: counters,
                              total: deliveries, done: done)
        }
        let producer = try await producerConnection.openChannel()
        if options.confirmWindow > 0 {
            try await producer.call(.confirmSelect(ConfirmSelect()))
        }
        var publishing = options
        if !options.consume { publishing.maxInFlight = .max }
        let start = ContinuousClock.now
        let publisher = BenchmarkPublisher(options: publishing, counters: counters, channel: producer.number,
                                           handler: producerConnection.handler, eventLoop: producerConnection.channel.eventLoop)
        try await producerConnection.onLoop { _ in publisher.start() }
        let publishedAt = try await publisher.finished.futureResult.get()
        if options.consume { try await done.futureResult.get() } else { done.succeed() }  // nothing consumes in backlog mode
        let seconds = (ContinuousClock.now - start).seconds
        try await whilePublished?()
        for queue in queues {
            try await setup.call(.queueDelete(QueueDelete(queue: queue)))
        }
        return Result(messages: options.messages, size: options.size, seconds: seconds,
                      publishedPerSecond: Double(options.messages) / (publishedAt - start).seconds,
                      consumedPerSecond: Double(deliveries) / seconds,
                      confirmed: counters.confirmed.load(ordering: .relaxed))
    }

    private func declareQueues(on setup: AMQPClientChannel) async throws -> [String] {
        try await setup.call(.exchangeDeclare(ExchangeDeclare(exchange: options.exchange, type: options.exchangeType)))
        let base = "warren-bench-\(UInt32.random(in: 0 ... .max))"
        let names = options.queues == 1 ? [base] : (0..<options.queues).map { "\(base)-\($0)" }
        for name in names {
            let declare = options.queueType.map {
                QueueDeclare(queue: name, durable: true, arguments: ["x-queue-type": .longString($0)])
            } ?? QueueDeclare(queue: name, durable: options.persistent, autoDelete: options.consume)
            try await setup.call(.queueDeclare(declare))
            try await setup.call(.queueBind(QueueBind(queue: name, exchange: options.exchange, routingKey: options.bindingKey)))
        }
        return names
    }

    /// One consumer per queue on `channel`; acks each delivery when the prefetch is above 0.
    private func consume(_ queues: [String], on channel: AMQPClientChannel, handler: NIOLoopBound<AMQPClientHandler>,
                         counters: Counters, total: Int, done: EventLoopPromise<Void>) async throws {
        let manualAck = options.prefetch > 0
        if manualAck {
            try await channel.call(.basicQos(BasicQos(prefetchCount: UInt16(clamping: options.prefetch))))
        }
        let number = channel.number
        let onLatency = self.onLatency
        for queue in queues {
            try await channel.consume(queue: queue, noAck: !manualAck) { delivery in
                if let onLatency, let latency = BenchmarkStamp.latency(of: delivery.body, at: BenchmarkStamp.now()) {
                    onLatency(latency)
                }
                let consumed = counters.consumed.add(1, ordering: .relaxed).newValue
                if manualAck { handler.value.write(.basicAck(BasicAck(deliveryTag: delivery.deliveryTag)), channel: number) }
                if consumed == total {
                    handler.value.flush()
                    done.succeed()
                }
            }
        }
    }
}

/// Counters shared by the producer's and the consumer's event loops.
final class Counters: Sendable {
    let consumed = Atomic<Int>(0)
    let confirmed = Atomic<Int>(0)
}
