import AMQPWire
import NIOCore

/// The broker: vhosts with their exchanges and queues, and the connections using them.
/// Pure domain logic with no I/O and no locks: it is confined to one event loop by its owner,
/// which hands it batches of commands and receives outbound batches through each connection's outlet.
public final class Broker {
    private(set) var vhosts: [String: VirtualHost] = [:]
    private(set) var sessions: [ConnectionID: Session] = [:]
    private let outbound = OutboundSchedule()
    /// Queues that may be able to deliver after this burst.
    private var queuesToDispatch: [Queue] = []
    private var channelsWithConfirms: [BrokerChannel] = []
    /// The connection whose commands the current burst carries out: the one publisher credit holds.
    private(set) var burstPublisher: Session?
    var nameGenerator = NameGenerator()
    var directReplyTo = DirectReplyTo()
    /// Where durable definitions and persistent messages go; nil runs the broker in memory only.
    public var persistence: (any BrokerPersistence)?
    /// Where stream queues keep their logs; nil refuses stream queues.
    public var streamStorage: (any StreamStorage)?
    /// Durable definitions changed in this burst.
    var definitionsChanged = false
    /// What waits for this burst's records to reach the disk: publisher confirms, tx.commit-ok,
    /// and the replies to durable declarations (nil for no-wait ones, which still fail on error).
    enum DiskWait {
        case confirm(UInt64)
        case reply(AMQPMethod, ReplyLine.Ticket)
        case definitions(AMQPMethod?, ReplyLine.Ticket)
    }
    var awaitingDisk: [(channel: BrokerChannel, wait: DiskWait)] = []
    /// Consumers per channel, queues per vhost, transaction size.
    public var limits = BrokerLimits.defaults
    /// Replies to methods that may change the durable definitions, held until the end of the burst.
    var awaitingDefinitions: [(channel: BrokerChannel, reply: AMQPMethod?, ticket: ReplyLine.Ticket)] = []
    /// Set while such a method runs: `reply` holds its reply in `deferredReply`, and methods that must
    /// follow the reply (`followReply`) in `deferredFollowers`.
    var deferringReply = false
    var deferredReply: AMQPMethod?
    var deferredFollowers: [AMQPMethod] = []
    /// What the last burst did with changed durable definitions; nil when it changed none.
    var lastDefinitionsSave: DefinitionsSave?
    /// The broker's clock: wall time in milliseconds. Tests replace it.
    public var clock: @Sendable () -> Int64 = WallClock.milliseconds
    /// The clock read once at the start of each burst, so one burst sees one time.
    var now: Int64 = 0
    /// Who calls `runTimers()` when a message expires or an unused queue is due for deletion.
    public var timers: (any BrokerTimers)?
    /// Queues with message TTLs or an expiry.
    var timedQueues: [ObjectIdentifier: Queue] = [:]
    /// The timed queues by next deadline: what the timer wakes for.
    var timerSchedule = TimerSchedule()
    /// The deadline the timer owner was last asked for.
    var armedDeadline = Int64.max

    /// Users, vhosts and permissions as the checks read them (Access/Broker+Access.swift).
    var access = AccessControl() {
        didSet { accessVersion &+= 1 }
    }
    /// Changes with every change of `access`: the sessions' `AccessCache`s are then out of date.
    private(set) var accessVersion = 0
    /// Where each new version of `access` is published for the connections and the management API.
    public let accessDirectory = AccessDirectory()

    public init(vhosts: [String] = ["/"]) {
        for name in vhosts { addVhost(name) }
    }

    /// Content bytes a connection may have in flight before its consumers are skipped (`OutboundCredit`).
    public var outboundWindow = OutboundCredit.defaultWindow

    /// Ready messages above which a queue behind fast consumers holds its publishers back
    /// (`BacklogPressure`), for every vhost and queue, existing and future.
    public var publisherCreditHigh = BacklogPressure.defaultHigh {
        didSet {
            for vhost in vhosts.values {
                vhost.publisherCreditHigh = publisherCreditHigh
                for queue in vhost.queues.values where !queue.pressure.isBehind {
                    queue.pressure = BacklogPressure(high: publisherCreditHigh)
                }
            }
        }
    }

    /// Keeps bodies on disk for queues whose ready messages hold more than this many bytes.
    public private(set) var pager: (any BodyPager)?
    private var queueMemoryLimit = Int.max

    public func addVhost(_ name: String) {
        guard vhosts[name] == nil else { return }
        access.addVhost(name)
        accessDirectory.publish(access)
        let vhost = VirtualHost(name: name)
        vhost.pager = pager
        vhost.queueMemoryLimit = queueMemoryLimit
        vhost.publisherCreditHigh = publisherCreditHigh
        vhosts[name] = vhost
    }

    /// Turns on paging for every vhost and queue, existing and future.
    public func configurePaging(_ pager: any BodyPager, queueMemoryLimit: Int) {
        self.pager = pager
        self.queueMemoryLimit = queueMemoryLimit
        for vhost in vhosts.values {
            vhost.pager = pager
            vhost.queueMemoryLimit = queueMemoryLimit
            for queue in vhost.queues.values {
                queue.pager = pager
                queue.memoryLimit = queueMemoryLimit
            }
        }
    }

    public func vhost(_ name: String) -> VirtualHost? { vhosts[name] }

    /// Bytes held by every queue's messages (ready and unacknowledged), for the memory alarm.
    public var backlogBytes: Int {
        vhosts.values.reduce(0) { total, vhost in
            vhost.queues.values.reduce(total) { $0 + $1.readyBytes + $1.unackedBytes }
        }
    }

    /// What the broker itself holds for the memory alarm: the queues' messages and the content
    /// sent to connections that they have not yet written to their sockets.
    public var heldBytes: Int {
        sessions.values.reduce(backlogBytes) { total, session in
            let (sum, overflow) = total.addingReportingOverflow(session.credit.unwritten)
            return overflow ? .max : sum
        }
    }

    /// Declares the log exchange (durable, topic) in every vhost.
    public func declareLogExchange(_ name: String) {
        for vhost in vhosts.values { vhost.declareLogExchange(name) }
    }

    /// A connection finished its handshake on a vhost. An internal one (`checked` false: the
    /// syslog publisher, the Redis bridge) is warren itself, and its operations are not checked.
    public func connect(_ id: ConnectionID, vhost: String, user: String, checked: Bool, outlet: any BrokerOutlet) {
        if !checked { addVhost(vhost) }
        guard let host = vhosts[vhost] else {
            outlet.deliver([.closeConnection(AMQPError(.notAllowed, "vhost \(vhost) not found"))])
            return
        }
        sessions[id] = Session(id: id, vhost: host, user: user, checked: checked, outlet: outlet, schedule: outbound,
                               persistence: persistence, outboundWindow: outboundWindow)
    }

    /// Removes a vhost from the table (its queues are deleted by the caller first).
    func removeVhost(_ name: String) {
        vhosts[name] = nil
        access.removeVhost(name)
        accessDirectory.publish(access)
    }

    /// The connection is gone: its channels close (unacked messages are requeued) and its exclusive queues are deleted.
    public func disconnect(_ id: ConnectionID) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        now = clock()
        forgetHolds(of: session)
        for number in session.channels.keys.sorted() {
            closeChannel(number, of: session)
        }
        for queue in Array(session.vhost.queues.values) where queue.owner == id {
            deleteQueue(queue, in: session.vhost)
        }
        finishBurst()
    }

    /// Carries out one batch of commands from a connection, then dispatches and flushes once.
    public func handle(_ commands: [BrokerCommand], from id: ConnectionID) {
        guard let session = sessions[id] else { return }
        now = clock()
        burstPublisher = session
        defer { burstPublisher = nil }
        for command in commands {
            handle(command, session: session)
        }
        finishBurst()
    }

    private func handle(_ command: BrokerCommand, session: Session) {
        switch command {
        case .channelOpened(let number):
            session.channels[number] = BrokerChannel(number: number, session: session)
        case .channelClosed(let number):
            closeChannel(number, of: session)
        case .channelCloseRequested(let number):
            // Answered even when an error already closed the channel: RabbitMQ sends its
            // channel.close first, then close-ok for the client's close.
            closeChannel(number, of: session)
            session.send(.method(number, .channelCloseOk))
        case .connectionCloseRequested:
            session.send(.method(0, .connectionCloseOk))
        case .outboundWritten(let bytes):
            if session.credit.written(bytes) { resumeDeliveries(to: session) }
        case .writabilityChanged(let writable):
            // Room regained: its consumers' queues deliver again. Writability lost: they are weighed
            // again for publisher credit, as a consumer that does not read holds no publisher back.
            if session.credit.setWritable(writable) || !writable { resumeDeliveries(to: session) }
        case .method(let number, let method):
            guard let channel = session.channels[number] else { return }  // closed by an error; frames dropped until close-ok
            do throws(AMQPError) {
                try handle(method, on: channel)
            } catch {
                fail(channel, with: error.caused(by: method))
            }
        case .publish(let number, let publish, let header, let body):
            guard let channel = session.channels[number] else { return }
            do throws(AMQPError) {
                try receivePublish(publish, header: header, body: body, on: channel)
            } catch {
                fail(channel, with: error.caused(by: .basicPublish(publish)))
            }
        }
    }

    /// A soft error closes the channel (its broker state goes now); a hard error closes the connection.
    private func fail(_ channel: BrokerChannel, with error: AMQPError) {
        let session = channel.session
        if error.code.isHardError {
            session.send(.closeConnection(error))
            return
        }
        closeChannel(channel.number, of: session)
        session.send(.closeChannel(channel.number, error))
    }

    /// Releases a channel: consumers cancelled, unacknowledged deliveries requeued in order.
    private func closeChannel(_ number: UInt16, of session: Session) {
        guard let channel = session.channels.removeValue(forKey: number) else { return }
        for consumer in channel.consumers.values {
            removeConsumer(consumer)
        }
        channel.consumers.removeAll()
        directReplyTo.stopConsumer(on: channel)
        requeue(channel.takeAllUnacked())
    }

    /// A delivery is finished with (ack, reject without requeue): its stored copy goes.
    func settled(_ delivery: Unacked) {
        delivery.consumer?.unackedCount -= 1
        let queue = delivery.queue
        guard !queue.isDeleted else { return }
        queue.unackedCount -= 1
        queue.unackedBytes -= delivery.entry.message.footprint
        if delivery.entry.storeID != 0 { persistence?.removed(id: delivery.entry.storeID, queue: queue.name) }
        scheduleDispatch(queue)
    }

    func requeue<S: Sequence>(_ deliveries: S) where S.Element == Unacked {
        for delivery in deliveries.reversed() {
            delivery.consumer?.unackedCount -= 1
            let queue = delivery.queue
            guard !queue.isDeleted else { continue }
            queue.unackedCount -= 1
            queue.unackedBytes -= delivery.entry.message.footprint
            if queue.stream == nil { queue.requeue(delivery.entry) }  // a stream keeps every entry: nothing goes back
            scheduleDispatch(queue)
        }
    }

    func removeConsumer(_ consumer: Consumer) {
        let queue = consumer.queue
        queue.remove(consumer)
        queue.lastUsed = now
        if queue.autoDelete, queue.consumerCount == 0, queue.hadConsumer, !queue.isDeleted {
            deleteQueue(queue, in: consumer.channel.session.vhost)
        } else {
            scheduleDispatch(queue)
        }
    }

    /// Deletes a queue; its consumers get basic.cancel (consumer_cancel_notify), except those of
    /// `replyingChannel`, whose tags are returned: that channel gets its cancels after its
    /// queue.delete-ok, the order RabbitMQ sends them in (py-amqp relies on it).
    @discardableResult
    func deleteQueue(_ queue: Queue, in vhost: VirtualHost, replyingOn replyingChannel: BrokerChannel? = nil) -> [String] {
        vhost.removeQueue(queue)
        releasePublishers(of: queue)
        timedQueues[ObjectIdentifier(queue)] = nil
        timerSchedule.remove(queue)
        if queue.durable { definitionsChanged = true }
        if queue.stream != nil { streamStorage?.remove(vhost: vhost.name, queue: queue.name) }
        forgetStored(queue.removeAllReady().storeIDs, of: queue)
        if let persistence, queue.unackedCount > 0 {
            for session in sessions.values {
                for channel in session.channels.values {
                    for delivery in channel.unacked where delivery.queue === queue && delivery.entry.storeID != 0 {
                        persistence.removed(id: delivery.entry.storeID, queue: queue.name)
                    }
                }
            }
        }
        var cancelledAfterReply: [String] = []
        for consumer in queue.consumers {
            queue.remove(consumer)
            let channel = consumer.channel
            channel.consumers[consumer.tag] = nil
            if channel === replyingChannel {
                cancelledAfterReply.append(consumer.tag)
                continue
            }
            guard channel.session.channels[channel.number] === channel else { continue }
            channel.session.send(.method(channel.number, .basicCancel(BasicCancel(consumerTag: consumer.tag, noWait: true))))
        }
        return cancelledAfterReply
    }

    func scheduleDispatch(_ queue: Queue) {
        guard !queue.dispatchScheduled else { return }
        queue.dispatchScheduled = true
        queuesToDispatch.append(queue)
    }

    func noteConfirm(_ channel: BrokerChannel, sequence: UInt64, ack: Bool) {
        if channel.settledConfirms.isEmpty { channelsWithConfirms.append(channel) }
        channel.settledConfirms.append((sequence, ack))
    }

    /// Records that a queue dropped stored messages (purge, delete, lost from its pages).
    func forgetStored(_ storeIDs: some Sequence<UInt64>, of queue: Queue) {
        guard let persistence else { return }
        for id in storeIDs where id != 0 {
            persistence.removed(id: id, queue: queue.name)
        }
    }

    /// End of a burst: deliver what can be delivered, send confirms, flush every touched connection once.
    func finishBurst() {
        while let queue = queuesToDispatch.popLast() {
            queue.dispatchScheduled = false
            guard !queue.isDeleted else { continue }
            queue.dispatch(now: now)
            if queue.features != nil || queue.holdsExpiringMessages {
                queue.expireHead(now: now)
                settleDiscarded(of: queue)
            }
            if !queue.lostStoreIDs.isEmpty {
                forgetStored(queue.lostStoreIDs, of: queue)
                queue.lostStoreIDs.removeAll()
            }
            applyPressure(to: queue)
            scheduleTimer(of: queue)
        }
        armTimer()
        lastDefinitionsSave = nil
        if let persistence, definitionsChanged {
            definitionsChanged = false
            saveDefinitions(to: persistence)
        }
        for channel in channelsWithConfirms {
            sendConfirms(channel)
        }
        channelsWithConfirms.removeAll(keepingCapacity: true)
        outbound.flushAll()
        guard let persistence else { return }
        if !awaitingDisk.isEmpty {
            let waiting = awaitingDisk
            awaitingDisk.removeAll()
            // Weak: the store may answer after the broker is gone (serve failed and tore it down).
            persistence.whenDurable { [weak self] outcome in
                guard let self else { return }
                now = clock()
                settle(waiting, outcome)
                finishBurst()
            }
        }
        persistence.commit()
    }

    /// Acks (and nacks) settled publishes. A run of acks that continues everything settled before
    /// becomes one `multiple` ack; anything else is acknowledged one by one.
    private func sendConfirms(_ channel: BrokerChannel) {
        let settled = channel.settledConfirms.sorted { $0.sequence < $1.sequence }
        channel.settledConfirms.removeAll()
        let acks = settled.count(where: \.ack)
        channel.counts.confirmed += acks
        channel.session.vhost.counts.confirmed += acks
        guard isOpen(channel) else { return }
        var index = 0
        while index < settled.count {
            let (sequence, ack) = settled[index]
            guard ack else {
                channel.session.send(.method(channel.number, .basicNack(BasicNack(deliveryTag: sequence, multiple: false, requeue: false))))
                if sequence == channel.confirmFloor + 1 { channel.confirmFloor = sequence }
                index += 1
                continue
            }
            var last = index
            while last + 1 < settled.count, settled[last + 1].ack, settled[last + 1].sequence == settled[last].sequence + 1 {
                last += 1
            }
            let upTo = settled[last].sequence
            if sequence == channel.confirmFloor + 1 {
                channel.session.send(.method(channel.number, .basicAck(BasicAck(deliveryTag: upTo, multiple: upTo > sequence))))
                channel.confirmFloor = upTo
            } else {
                for single in settled[index...last] {
                    channel.session.send(.method(channel.number, .basicAck(BasicAck(deliveryTag: single.sequence, multiple: false))))
                }
            }
            index = last + 1
        }
    }
}
