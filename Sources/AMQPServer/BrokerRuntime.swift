import Broker
import NIOConcurrencyHelpers
import NIOCore

/// The broker confined to its own event loop. Connections hand it batches of commands (one per
/// read burst), which wait in a `BrokerInbox` and are carried out a round at a time, one batch per
/// connection per round, so one connection's flood cannot starve the others' acks; the broker
/// answers through each connection's outlet (one hop per broker burst).
public final class BrokerRuntime: Sendable {
    public let eventLoop: any EventLoop
    /// The memory/disk alarm, raised by the `ResourceMonitor` service and read by every front end.
    public let alarm = ResourceAlarm()
    /// Content bytes a connection may have in flight to its socket before the broker stops handing
    /// it deliveries; also each socket's write-buffer high water mark (the low one is half).
    public let outboundWindow: Int
    private let broker: NIOLoopBound<Broker>
    /// The broker's users, vhosts and permissions, readable from any thread.
    public let access: AccessDirectory
    private let nextConnectionID = NIOLockedValueBox<UInt64>(0)
    private let inbox = NIOLockedValueBox(BrokerInbox<@Sendable (Broker) -> Void>())

    private init(eventLoop: any EventLoop, broker: NIOLoopBound<Broker>, access: AccessDirectory, outboundWindow: Int) {
        self.eventLoop = eventLoop
        self.broker = broker
        self.access = access
        self.outboundWindow = outboundWindow
    }

    /// Creates the broker on `eventLoop` with these vhosts.
    public static func start(on eventLoop: any EventLoop, vhosts: [String],
                             outboundWindow: Int = OutboundCredit.defaultWindow) async throws -> BrokerRuntime {
        let (broker, access) = try await eventLoop.submit {
            let broker = Broker(vhosts: vhosts)
            broker.outboundWindow = outboundWindow
            broker.timers = LoopTimers(eventLoop: eventLoop, broker: broker)
            return (NIOLoopBound(broker, eventLoop: eventLoop), broker.accessDirectory)
        }.get()
        return BrokerRuntime(eventLoop: eventLoop, broker: broker, access: access, outboundWindow: max(1, outboundWindow))
    }

    /// The write-buffer water marks of every connection's socket.
    var writeBufferWaterMark: ChannelOptions.Types.WriteBufferWaterMark {
        .init(low: outboundWindow / 2, high: outboundWindow)
    }

    func makeConnectionID() -> ConnectionID {
        ConnectionID(nextConnectionID.withLockedValue { $0 += 1; return $0 })
    }

    /// Runs a closure with the broker on its event loop (from any thread).
    public func withBroker(_ body: @escaping @Sendable (Broker) -> Void) {
        let broker = self.broker
        if eventLoop.inEventLoop {
            body(broker.value)
        } else {
            eventLoop.execute { body(broker.value) }
        }
    }

    /// Runs a throwing closure with the broker on its event loop and waits for it.
    public func withBrokerResult<T: Sendable>(_ body: @escaping @Sendable (Broker) throws -> T) async throws -> T {
        let broker = self.broker
        return try await eventLoop.submit { try body(broker.value) }.get()
    }

    func connect(_ id: ConnectionID, vhost: String, user: String, checked: Bool, outlet: any BrokerOutlet) {
        enqueue(from: id) { $0.connect(id, vhost: vhost, user: user, checked: checked, outlet: outlet) }
    }

    /// Hands the broker a batch of commands; `whenHandled` runs on the broker's loop after it.
    func submit(_ commands: [BrokerCommand], from id: ConnectionID, whenHandled: (@Sendable () -> Void)? = nil) {
        enqueue(from: id) { broker in
            broker.handle(commands, from: id)
            whenHandled?()
        }
    }

    func disconnect(_ id: ConnectionID) {
        enqueue(from: id) { $0.disconnect(id) }
    }

    /// A connection's work, after everything it handed over before (connect, batches, disconnect).
    private func enqueue(from id: ConnectionID, _ work: @escaping @Sendable (Broker) -> Void) {
        if inbox.withLockedValue({ $0.add(work, from: id) }) { eventLoop.execute { self.runRound() } }
    }

    /// One round of the inbox on the broker's loop; another is scheduled behind whatever else
    /// waits on the loop (timers, the management API, syslog batches) while work is left.
    private func runRound() {
        let round = inbox.withLockedValue { $0.takeRound() }
        let broker = self.broker.value
        for work in round { work(broker) }
        if inbox.withLockedValue({ $0.finishRound() }) { eventLoop.execute { self.runRound() } }
    }
}

/// Carries the broker's outbound batches to one connection's handler on that connection's loop.
final class ConnectionOutlet: BrokerOutlet {
    private let handler: NIOLoopBound<AMQPConnectionHandler>
    private let context: NIOLoopBound<ChannelHandlerContext>

    init(handler: AMQPConnectionHandler, context: ChannelHandlerContext) {
        self.handler = NIOLoopBound(handler, eventLoop: context.eventLoop)
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
    }

    /// Always a new task, even on the same loop, so the broker is never re-entered from a delivery.
    func deliver(_ batch: [Outbound]) {
        let handler = self.handler
        let context = self.context
        context.eventLoop.execute { handler.value.receive(batch, context: context.value) }
    }

    func holdPublishing(_ held: Bool) {
        let handler = self.handler
        let context = self.context
        context.eventLoop.execute { handler.value.holdPublishing(held, context: context.value) }
    }

    /// The broker handled commands read from `bytes` bytes of this connection's input.
    func brokerHandled(_ bytes: Int) {
        let handler = self.handler
        let context = self.context
        context.eventLoop.execute { handler.value.brokerHandled(bytes, context: context.value) }
    }
}
