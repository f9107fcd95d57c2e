import Broker
import DequeModule

/// What waits for the broker's loop, per connection: each connection's work in the order it was
/// handed over, the connections taken in turn, one batch each per round. A publisher that floods
/// the broker with read bursts therefore delays another connection's acks by at most one of its
/// bursts per round, not by everything it has queued.
struct BrokerInbox<Work> {
    private var waiting: [ConnectionID: Deque<Work>] = [:]
    /// Connections with waiting work, in turn order; each appears once.
    private var turns: Deque<ConnectionID> = []
    /// Whether a round is scheduled on the broker's loop (or running).
    private var draining = false

    /// Adds a connection's work; true when no round is scheduled and the caller must schedule one.
    mutating func add(_ work: Work, from id: ConnectionID) -> Bool {
        if waiting[id, default: []].isEmpty { turns.append(id) }
        waiting[id, default: []].append(work)
        defer { draining = true }
        return !draining
    }

    /// One round: the oldest work of every connection that has some, in turn order.
    mutating func takeRound() -> [Work] {
        var round: [Work] = []
        round.reserveCapacity(turns.count)
        for _ in 0..<turns.count {
            let id = turns.removeFirst()
            guard var queue = waiting.removeValue(forKey: id), let work = queue.popFirst() else { continue }
            round.append(work)
            if !queue.isEmpty {
                waiting[id] = queue
                turns.append(id)
            }
        }
        return round
    }

    /// After a round: true when work is left and another round must be scheduled; otherwise the
    /// inbox is idle, and the next `add` schedules one.
    mutating func finishRound() -> Bool {
        draining = !turns.isEmpty
        return draining
    }
}

extension BrokerInbox: Sendable where Work: Sendable {}
