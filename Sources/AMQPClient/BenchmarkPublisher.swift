import AMQPWire
import NIOCore
import Synchronization

/// Publishes a benchmark's messages on the producer connection's event loop, each stamped with
/// its send time (`BenchmarkStamp`).
///
/// Closed loop (`rate` 0): in batches, as fast as the confirm window, the in-flight cap and the
/// socket allow. Open loop: message i is due at start + i / rate and goes out then, whatever the
/// broker answered, stamped with its due time rather than the moment it was written, so time a
/// stalled broker (or client) costs shows up as latency (no coordinated omission). Either way a
/// socket that takes no more holds publishing back instead of growing NIO's outbound buffer.
final class BenchmarkPublisher: Sendable {
    let finished: EventLoopPromise<ContinuousClock.Instant>
    private let options: ThroughputBenchmark.Options
    private let counters: Counters
    private let channel: UInt16
    private let handler: NIOLoopBound<AMQPClientHandler>
    private let eventLoop: any EventLoop
    private let header: ContentHeader
    private let template: ByteBuffer
    private let sent = Atomic<Int>(0)
    private let completed = Atomic<Bool>(false)
    private let startedAt = Atomic<UInt64>(0)

    /// One batch (one flush) stops at whichever comes first.
    static let batchMessages = 256
    static let batchBytes = 1 << 20

    init(options: ThroughputBenchmark.Options, counters: Counters, channel: UInt16,
         handler: NIOLoopBound<AMQPClientHandler>, eventLoop: any EventLoop) {
        self.options = options
        self.counters = counters
        self.channel = channel
        self.handler = handler
        self.eventLoop = eventLoop
        self.finished = eventLoop.makePromise()
        var properties = BasicProperties()
        if options.persistent { properties.deliveryMode = 2 }
        header = ContentHeader(bodySize: UInt64(options.size), properties: properties)
        template = ByteBuffer(repeating: UInt8(ascii: "x"), count: options.size)
    }

    func start() {
        if options.confirmWindow > 0 {
            handler.value.channels[channel]?.onConfirm = { [self] tag, multiple, _ in
                let previous = counters.confirmed.load(ordering: .relaxed)
                let confirmedNow = multiple ? Int(clamping: tag) : previous + 1
                counters.confirmed.store(max(confirmedNow, previous), ordering: .relaxed)
                if sent.load(ordering: .relaxed) == options.messages { finishIfConfirmed() } else { pump() }
            }
        }
        startedAt.store(BenchmarkStamp.now() + 1_000_000, ordering: .relaxed)
        pump()
    }

    private func pump() {
        let handler = self.handler.value
        var count = sent.load(ordering: .relaxed)
        let due = options.rate > 0 ? dueCount(at: BenchmarkStamp.now()) : options.messages
        var batch = 0
        var bytes = 0
        while count < due, batch < Self.batchMessages, bytes < Self.batchBytes, handler.isWritable, canSend(count) {
            var body = template
            if options.size >= BenchmarkStamp.size {
                BenchmarkStamp.write(options.rate > 0 ? dueTime(count) : BenchmarkStamp.now(), into: &body)
            }
            handler.writePublish(channel: channel, exchange: options.exchange, routingKey: options.routingKey,
                                 header: header, body: body, mandatory: false)
            count += 1
            batch += 1
            bytes += options.size
        }
        sent.store(count, ordering: .relaxed)
        handler.flush()
        if count == options.messages { return finishIfConfirmed() }
        if !handler.isWritable {
            handler.onWritable = { self.pump() }
        } else if batch == Self.batchMessages || bytes >= Self.batchBytes {
            eventLoop.execute { self.pump() }
        } else if options.rate > 0 {
            eventLoop.scheduleTask(deadline: .uptimeNanoseconds(dueTime(count))) { self.pump() }
        } else if options.confirmWindow == 0 || count - counters.confirmed.load(ordering: .relaxed) < options.confirmWindow {
            // Held back by the in-flight cap: look again shortly.
            eventLoop.scheduleTask(in: .microseconds(200)) { self.pump() }
        }
        // Otherwise the next confirm calls pump().
    }

    private func finishIfConfirmed() {
        guard options.confirmWindow == 0 || counters.confirmed.load(ordering: .relaxed) >= options.messages,
              !completed.exchange(true, ordering: .relaxed) else { return }
        finished.succeed(ContinuousClock.now)
    }

    /// Open loop: when message `index` is due (rate and messages are bounded by the options' checks).
    private func dueTime(_ index: Int) -> UInt64 {
        startedAt.load(ordering: .relaxed) + UInt64(Double(index) * 1e9 / Double(options.rate))
    }

    /// Open loop: how many messages are due by `now`.
    private func dueCount(at now: UInt64) -> Int {
        let start = startedAt.load(ordering: .relaxed)
        guard now >= start else { return 0 }
        return min(options.messages, Int(Double(now - start) * Double(options.rate) / 1e9) + 1)
    }

    private func canSend(_ count: Int) -> Bool {
        if options.rate > 0 { return true }
        if options.confirmWindow > 0, count - counters.confirmed.load(ordering: .relaxed) >= options.confirmWindow { return false }
        return count - counters.consumed.load(ordering: .relaxed) / options.queues < options.maxInFlight
    }
}
