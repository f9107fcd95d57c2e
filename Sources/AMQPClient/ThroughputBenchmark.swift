import AMQPWire
import NIOCore
import Synchronization

/// One producer and one consumer through a topic exchange, measured end to end: the same client
/// code against any broker, so warren and RabbitMQ can be compared in one run.
public struct ThroughputBenchmark: Sendable {
    public struct Options: Sendable {
        public var messages = 200_000
        public var size = 200
        /// Publisher confirms with at most this many unconfirmed messages; 0 = no confirms.
        public var confirmWindow = 0
        /// Manual acks with this prefetch; 0 = automatic acknowledgement (no-ack).
        public var prefetch = 0
        /// Persistent messages to a durable queue.
        public var persistent = false
        /// The bench queue's `x-queue-type` (`quorum`: durable and replicated, deleted after the
        /// run rather than auto-deleted); nil: a classic queue.
        public var queueType: String?
        /// Published but not yet consumed messages are capped here, so the run measures a steady
        /// flow rather than how fast a backlog can be built.
        public var maxInFlight = 20_000

        public init() {}
    }

    /// What one run measured.
    public struct Result: Sendable, Codable {
        public var messages: Int
        public var size: Int
        public var seconds: Double
        public var publishedPerSecond: Double
        public var consumedPerSecond: Double
        public var confirmed: Int
    }

    let url: AMQPURL
    let options: Options

    public init(url: AMQPURL, options: Options) {
        self.url = url
        self.options = options
    }

    public func run() async throws -> Result {
        let consumerConnection = try await AMQPClientConnection.connect(to: url)
        let producerConnection = try await AMQPClientConnection.connect(to: url)
        defer {
            Task { await consumerConnection.close(); await producerConnection.close() }
        }
        let setup = try await consumerConnection.openChannel()
        let exchange = "warren-bench"
        try await setup.call(.exchangeDeclare(ExchangeDeclare(exchange: exchange, type: "topic")))
        let queueName = "warren-bench-\(UInt32.random(in: 0 ... .max))"
        let declare = options.queueType.map {
            QueueDeclare(queue: queueName, durable: true, arguments: ["x-queue-type": .longString($0)])
        } ?? QueueDeclare(queue: queueName, durable: options.persistent, autoDelete: true)
        try await setup.call(.queueDeclare(declare))
        try await setup.call(.queueBind(QueueBind(queue: queueName, exchange: exchange, routingKey: "bench.#")))
        if options.prefetch > 0 {
            try await setup.call(.basicQos(BasicQos(prefetchCount: UInt16(clamping: options.prefetch))))
        }
        let counters = Counters()
        let total = options.messages
        let done = consumerConnection.channel.eventLoop.makePromise(of: Void.self)
        let manualAck = options.prefetch > 0
        let number = setup.number
        let consumerHandler = consumerConnection.handler
        try await setup.consume(queue: queueName, noAck: !manualAck) { delivery in
            let consumed = counters.consumed.add(1, ordering: .relaxed).newValue
            if manualAck { consumerHandler.value.write(.basicAck(BasicAck(deliveryTag: delivery.deliveryTag)), channel: number) }
            if consumed == total {
                consumerHandler.value.flush()
                done.succeed()
            }
        }
        let producer = try await producerConnection.openChannel()
        if options.confirmWindow > 0 {
            try await producer.call(.confirmSelect(ConfirmSelect()))
        }
        let start = ContinuousClock.now
        let publishing = Publisher(options: options, counters: counters, channel: producer.number,
                                   handler: producerConnection.handler, eventLoop: producerConnection.channel.eventLoop)
        try await producerConnection.onLoop { _ in publishing.start() }
        let publishedAt = try await publishing.finished.futureResult.get()
        try await done.futureResult.get()
        let seconds = (ContinuousClock.now - start).seconds
        let publishSeconds = (publishedAt - start).seconds
        _ = try? await setup.call(.queueDelete(QueueDelete(queue: queueName)))
        return Result(messages: total, size: options.size, seconds: seconds,
                      publishedPerSecond: Double(total) / publishSeconds, consumedPerSecond: Double(total) / seconds,
                      confirmed: counters.confirmed.load(ordering: .relaxed))
    }
}

/// Counters shared by the producer's and the consumer's event loops.
final class Counters: Sendable {
    let consumed = Atomic<Int>(0)
    let confirmed = Atomic<Int>(0)
}

/// Publishes on the producer connection's event loop in batches, holding back when the confirm
/// window or the in-flight cap is full.
final class Publisher: Sendable {
    let finished: EventLoopPromise<ContinuousClock.Instant>
    private let options: ThroughputBenchmark.Options
    private let counters: Counters
    private let channel: UInt16
    private let handler: NIOLoopBound<AMQPClientHandler>
    private let eventLoop: any EventLoop
    private let sent = Atomic<Int>(0)
    private let completed = Atomic<Bool>(false)

    init(options: ThroughputBenchmark.Options, counters: Counters, channel: UInt16,
         handler: NIOLoopBound<AMQPClientHandler>, eventLoop: any EventLoop) {
        self.options = options
        self.counters = counters
        self.channel = channel
        self.handler = handler
        self.eventLoop = eventLoop
        self.finished = eventLoop.makePromise()
    }

    func start() {
        if options.confirmWindow > 0 {
            handler.value.channels[channel]?.onConfirm = { [self] tag, multiple, _ in
                let confirmedNow = multiple ? Int(tag) : counters.confirmed.load(ordering: .relaxed) + 1
                counters.confirmed.store(max(confirmedNow, counters.confirmed.load(ordering: .relaxed)), ordering: .relaxed)
                pump()
            }
        }
        pump()
    }

    private func pump() {
        let handler = self.handler.value
        var properties = BasicProperties()
        if options.persistent { properties.deliveryMode = 2 }
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: options.size)
        let header = ContentHeader(bodySize: UInt64(options.size), properties: properties)
        var count = sent.load(ordering: .relaxed)
        var batch = 0
        while count < options.messages, batch < 256, canSend(count) {
            handler.writePublish(channel: channel, exchange: "warren-bench", routingKey: "bench.info", header: header, body: body, mandatory: false)
            count += 1
            batch += 1
        }
        sent.store(count, ordering: .relaxed)
        handler.flush()
        if count == options.messages {
            if options.confirmWindow == 0 || counters.confirmed.load(ordering: .relaxed) >= count,
               !completed.exchange(true, ordering: .relaxed) {
                finished.succeed(ContinuousClock.now)
            }
            return
        }
        if batch == 256 {
            eventLoop.execute { self.pump() }
        } else if options.confirmWindow == 0 || count - counters.confirmed.load(ordering: .relaxed) < options.confirmWindow {
            // Held back by the in-flight cap: look again shortly.
            eventLoop.scheduleTask(in: .microseconds(200)) { self.pump() }
        }
        // Otherwise the next confirm calls pump().
    }

    private func canSend(_ count: Int) -> Bool {
        if options.confirmWindow > 0, count - counters.confirmed.load(ordering: .relaxed) >= options.confirmWindow { return false }
        return count - counters.consumed.load(ordering: .relaxed) < options.maxInFlight
    }
}
