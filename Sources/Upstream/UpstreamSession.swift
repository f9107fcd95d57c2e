import AMQPClient
import AMQPServer
import AMQPWire
import Broker
import DequeModule
import Logging
import NIOCore

/// One connection to one upstream node: consumes the local queue (manual acks, prefetch =
/// window), publishes each delivery upstream in queue order with mandatory set, and acks it
/// locally once the upstream confirmed it. After a nack or a return nothing new is published until
/// every outstanding publish is confirmed; then the channel is closed and, after the `RetryPolicy`
/// delay, a new one publishes the refused messages first. A message refused more than `maxRetries`
/// times goes to the local dead-letter queue. While the upstream says
/// connection.blocked nothing is published (deliveries wait, unacked, at most one window).
/// When the session ends, for whatever reason, the local connection closes and every unconfirmed
/// delivery is requeued, so the next session sends it first.
struct UpstreamSession {
    private enum Event: Sendable {
        case local([Outbound])
        case localClosed
        /// What the upstream said on the publishing channel opened `generation`-th in this session.
        case upstream(PublisherEvent, generation: Int)
    }

    let configuration: UpstreamConfiguration
    let runtime: BrokerRuntime
    let registry: UpstreamRegistry
    let metrics: UpstreamMetrics
    let nodeName: String
    let logger: Logger

    private var retryPolicy: RetryPolicy { RetryPolicy(configuration) }
    private static let consumeChannel: UInt16 = 1
    private static let deadLetterChannel: UInt16 = 2

    /// Forwards until the connection fails (throws why) or the task is cancelled (returns).
    func run(connection: AMQPClientConnection) async throws {
        let (events, continuation) = AsyncStream<Event>.makeStream()
        var generation = 0
        var publisher = try await PublisherEventChannel.open(on: connection) { continuation.yield(.upstream($0, generation: 0)) }
        let local = InProcessConnection(runtime: runtime, vhost: configuration.vhost, user: "warren-upstream-\(configuration.name)")
        let pump = Task {
            for await batch in local.outbound { continuation.yield(.local(batch)) }
            continuation.yield(.localClosed)
        }
        defer {
            local.close()
            pump.cancel()
            continuation.finish()
        }
        var state = SessionState(window: ConfirmWindow(capacity: configuration.window),
                                 deadLetters: LocalDeadLetters(channel: Self.deadLetterChannel, ackChannel: Self.consumeChannel,
                                                               queue: configuration.deadLetterQueueName, capacity: configuration.window))
        local.send(state.deadLetters.openCommands + [
            .channelOpened(Self.consumeChannel),
            .method(Self.consumeChannel, .basicQos(BasicQos(prefetchCount: UInt16(clamping: configuration.window)))),
            .method(Self.consumeChannel, .basicConsume(BasicConsume(queue: configuration.queueName, consumerTag: "upstream"))),
        ])
        for await event in events {
            switch event {
            case .local(let batch):
                try take(batch, into: &state)
            case .localClosed:
                throw UpstreamSessionError.localClosed
            case .upstream(let upstreamEvent, let eventGeneration):
                // Confirms and returns of a closed channel are stale; connection.blocked is not.
                guard eventGeneration == generation || upstreamEvent.concernsTheConnection else { continue }
                try handle(upstreamEvent, state: &state)
            }
            if !state.localCommands.isEmpty {
                local.send(state.localCommands)
                state.localCommands.removeAll(keepingCapacity: true)
            }
            if let delay = state.retryDelay, state.window.isEmpty {
                logger.info("upstream '\(configuration.name)': \(state.retries.count) refused messages go again on a new channel in \(delay) ms")
                try await publisher.close()
                try await Task.sleep(for: .milliseconds(delay))
                generation += 1
                let opened = generation
                publisher = try await PublisherEventChannel.open(on: connection) { continuation.yield(.upstream($0, generation: opened)) }
                state.window = ConfirmWindow(capacity: configuration.window)
                state.retryDelay = nil
            }
            try await publishWaiting(&state, on: publisher)
            registry.update(configuration.name) { status in
                status.confirmsOutstanding = state.window.count
                status.state = state.blocked ? .blocked : .running
            }
            metrics.confirmsOutstanding.record(state.window.count)
        }
    }

    private func take(_ batch: [Outbound], into state: inout SessionState) throws {
        for item in batch {
            if let (commands, refused) = state.deadLetters.handle(item) {
                state.localCommands += commands
                if refused > 0 {
                    logger.error("upstream '\(configuration.name)': the local broker refused \(refused) dead-letter copies; the originals stay queued")
                }
                continue
            }
            switch item {
            case .content(_, .basicDeliver(let deliver), let header, let body):
                do throws(WireError) {
                    state.waiting.append(try ForwardedMessage(localTag: deliver.deliveryTag, routingKey: deliver.routingKey, header: header,
                                                              body: body, exchange: configuration.upstreamExchange, node: nodeName))
                } catch {
                    logger.error("upstream '\(configuration.name)': a stored message's properties do not decode (\(error)); dead-lettering it")
                    state.localCommands += state.deadLetters.send(localTag: deliver.deliveryTag, header: header, body: body)
                }
            case .method(_, .basicCancel):
                throw UpstreamSessionError.localRefused("the local queue \(configuration.queueName) was deleted")
            case .closeChannel(_, let error), .closeConnection(let error):
                throw UpstreamSessionError.localRefused(error.text)
            default:
                continue
            }
        }
    }

    private func handle(_ event: PublisherEvent, state: inout SessionState) throws {
        switch event {
        case .ack(let tag, let multiple):
            for (message, outcome) in state.window.confirm(tag, multiple: multiple, ack: true) {
                settle(message, outcome: outcome, state: &state)
            }
        case .nack(let tag, let multiple):
            for (message, outcome) in state.window.confirm(tag, multiple: multiple, ack: false) {
                settle(message, outcome: outcome, state: &state)
            }
        case .returned(let routingKey):
            if !state.window.returned(routingKey: routingKey) {
                logger.warning("upstream '\(configuration.name)': a basic.return for '\(routingKey)' matches no unconfirmed message")
            }
        case .blocked(let reason):
            state.blocked = true
            logger.warning("upstream '\(configuration.name)': blocked by the upstream (\(reason)); entries wait locally")
        case .unblocked:
            state.blocked = false
            logger.info("upstream '\(configuration.name)': unblocked")
        case .failed(let error):
            throw error
        }
    }

    /// The local effect of one resolved publish: ack, retry or dead-letter.
    private func settle(_ message: ForwardedMessage, outcome: ConfirmWindow<ForwardedMessage>.Outcome, state: inout SessionState) {
        let reason: String
        switch outcome {
        case .confirmed:
            state.localCommands.append(.method(Self.consumeChannel, .basicAck(BasicAck(deliveryTag: message.localTag))))
            registry.update(configuration.name) { $0.forwarded += 1 }
            metrics.forwarded.increment()
            return
        case .nacked: reason = "nacked by the upstream"
        case .returned: reason = "returned by the upstream: no queue bound for '\(message.outgoing.routingKey)'"
        }
        var failed = message
        failed.failures += 1
        if case .retry(let delay) = retryPolicy.decide(failures: failed.failures, random: Double.random(in: 0..<1)) {
            registry.update(configuration.name) { $0.retried += 1 }
            state.retries.append(failed)
            state.retryDelay = max(state.retryDelay ?? 0, delay)
            return
        }
        let text = "\(reason) (\(failed.failures) attempts)"
        logger.warning("upstream '\(configuration.name)': dead-lettering a '\(message.outgoing.routingKey)' message to \(configuration.deadLetterQueueName): \(text)")
        state.localCommands += state.deadLetters.send(localTag: message.localTag,
                                                      header: message.deadLetterHeader(upstream: configuration.name, reason: text),
                                                      body: message.outgoing.body)
        registry.update(configuration.name) { status in
            status.deadLettered += 1
            status.lastError = text
            status.lastErrorAt = UpstreamClock.now()
        }
        metrics.deadLettered.increment()
    }

    /// Publishes retries first, then new deliveries, while the window has room, the upstream is not
    /// blocked and no refused message waits for a new channel.
    private func publishWaiting(_ state: inout SessionState, on publisher: PublisherEventChannel) async throws {
        guard !state.blocked, state.retryDelay == nil else { return }
        var batch: [OutgoingMessage] = []
        while !state.window.isFull, let message = state.retries.popFirst() ?? state.waiting.popFirst() {
            state.window.published(message, routingKey: message.outgoing.routingKey)
            batch.append(message.outgoing)
        }
        try await publisher.publish(batch, mandatory: true)
    }
}

private extension PublisherEvent {
    /// connection.blocked and unblocked: they hold whichever channel reported them.
    var concernsTheConnection: Bool {
        switch self {
        case .blocked, .unblocked: true
        case .ack, .nack, .returned, .failed: false
        }
    }
}

/// What one session holds between events.
private struct SessionState {
    var window: ConfirmWindow<ForwardedMessage>
    /// Deliveries not yet published (the upstream is blocked or the window is full).
    var waiting = Deque<ForwardedMessage>()
    /// Messages the upstream refused, to publish again before new ones.
    var retries = Deque<ForwardedMessage>()
    /// Set after a refusal: once the window is empty, the channel is replaced after this many milliseconds.
    var retryDelay: Int?
    var blocked = false
    var deadLetters: LocalDeadLetters
    /// Acks and dead-letter publishes for the local broker, sent in one burst.
    var localCommands: [BrokerCommand] = []
}

/// Why a session ended on the local side.
enum UpstreamSessionError: Error, CustomStringConvertible {
    case localClosed
    case localRefused(String)

    var description: String {
        switch self {
        case .localClosed: "the local broker closed the forwarder's connection"
        case .localRefused(let text): "the local broker refused the forwarder: \(text)"
        }
    }
}
