import AMQPWire
import DequeModule

/// A channel's replies in the order of the methods they answer. A reply that waits for the disk
/// (a durable declaration's -ok, tx.commit-ok) holds a place; replies to later methods queue behind
/// it and go out once it is filled, so a client pipelining methods on one channel is answered in order.
struct ReplyLine {
    /// A place held for a reply that waits for the disk.
    struct Ticket: Equatable {
        fileprivate let number: UInt64
    }

    private enum Entry {
        case waiting
        case ready(AMQPMethod?)
    }

    private var entries = Deque<Entry>()
    /// The ticket number of `entries.first`.
    private var firstNumber: UInt64 = 0

    /// True when a reply may go out at once.
    var isEmpty: Bool { entries.isEmpty }

    /// Holds the next place in line for a reply that waits.
    mutating func hold() -> Ticket {
        entries.append(.waiting)
        return Ticket(number: firstNumber &+ UInt64(entries.count - 1))
    }

    /// Queues a reply that is ready behind the held places; only call when the line is not empty.
    mutating func queue(_ method: AMQPMethod) {
        entries.append(.ready(method))
    }

    /// Fills a held place (nil: nothing to send, e.g. a no-wait method) and returns the replies that
    /// may go out now, in order.
    mutating func fill(_ ticket: Ticket, with method: AMQPMethod?) -> [AMQPMethod] {
        let offset = ticket.number &- firstNumber
        guard offset < UInt64(entries.count) else { return [] }
        entries[Int(offset)] = .ready(method)
        var free: [AMQPMethod] = []
        while case .ready(let reply)? = entries.first {
            entries.removeFirst()
            firstNumber &+= 1
            if let reply { free.append(reply) }
        }
        return free
    }
}
