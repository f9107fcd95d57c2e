/// Identifies one client connection inside the broker.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let raw: UInt64
    public init(_ raw: UInt64) { self.raw = raw }
    public var description: String { "#\(raw)" }
}

/// The sessions that have something to send at the end of the current broker burst.
final class OutboundSchedule {
    private var sessions: [Session] = []

    func add(_ session: Session) {
        sessions.append(session)
    }

    /// Hands every waiting session's batch to its outlet.
    func flushAll() {
        for session in sessions { session.flush() }
        sessions.removeAll(keepingCapacity: true)
    }
}

/// One connection as the broker sees it: its vhost, channels, and what it has to be sent.
final class Session {
    let id: ConnectionID
    let vhost: VirtualHost
    let user: String
    /// Whether its operations are checked against the user's permissions (false for warren's own).
    let checked: Bool
    /// The permission checks it passed since permissions last changed.
    var accessCache = AccessCache()
    let outlet: any BrokerOutlet
    var channels: [UInt16: BrokerChannel] = [:]
    /// Where stored messages' deliveries and removals are recorded.
    let persistence: (any BrokerPersistence)?
    /// Outbound items gathered during one broker burst, handed to the outlet in one batch.
    private var pending: [Outbound] = []
    private unowned let schedule: OutboundSchedule
    /// What the connection may still be handed before it writes what it has.
    var credit: OutboundCredit
    /// The queues, behind their consumers, that hold this connection's input back (publisher credit).
    var heldBy: [ObjectIdentifier: Queue] = [:]

    init(id: ConnectionID, vhost: VirtualHost, user: String, checked: Bool, outlet: any BrokerOutlet, schedule: OutboundSchedule,
         persistence: (any BrokerPersistence)?, outboundWindow: Int) {
        self.persistence = persistence
        self.credit = OutboundCredit(window: outboundWindow)
        self.id = id
        self.vhost = vhost
        self.user = user
        self.checked = checked
        self.outlet = outlet
        self.schedule = schedule
    }

    func send(_ item: Outbound) {
        if pending.isEmpty { schedule.add(self) }
        credit.sent(item.creditBytes)
        pending.append(item)
    }

    /// Whether any of its channels consumes: such a connection's input carries the acks that drain queues.
    var consumes: Bool { channels.values.contains { !$0.consumers.isEmpty } }

    /// Whether its consumers may be handed another message (see `OutboundCredit`).
    var canTakeDeliveries: Bool { credit.hasRoom }

    /// Hands everything gathered to the outlet.
    func flush() {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        outlet.deliver(batch)
    }
}
