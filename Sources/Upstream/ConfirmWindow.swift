/// The messages published on one confirm-mode channel and not yet confirmed, by the channel's
/// publish sequence number (1, 2, …). Pure: the forwarder feeds it what the upstream said.
/// Confirms may come out of order and `multiple`; each sequence number is looked at once as the
/// lowest outstanding number moves up, so the work per message is constant. A basic.return comes
/// before the confirm of the message it returns and returns come in publish order, so a return
/// marks the oldest not-yet-returned message with its routing key past the previous return.
public struct ConfirmWindow<Item> {
    /// The outcome of one confirmed message.
    public enum Outcome {
        case confirmed
        case nacked
        case returned
    }

    private var outstanding: [UInt64: (item: Item, routingKey: String, returned: Bool)] = [:]
    /// Every sequence number below this one is resolved.
    private var lowest: UInt64 = 1
    /// The number the next publish gets.
    public private(set) var nextSequence: UInt64 = 1
    private var lastReturned: UInt64 = 0
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { outstanding.count }
    public var isFull: Bool { outstanding.count >= capacity }
    public var isEmpty: Bool { outstanding.isEmpty }

    /// Records a publish; returns its sequence number.
    @discardableResult
    public mutating func published(_ item: Item, routingKey: String) -> UInt64 {
        let sequence = nextSequence
        nextSequence += 1
        outstanding[sequence] = (item, routingKey, false)
        return sequence
    }

    /// Marks the message a basic.return with `routingKey` returned; false when none matches.
    @discardableResult
    public mutating func returned(routingKey: String) -> Bool {
        var sequence = max(lastReturned + 1, lowest)
        while sequence < nextSequence {
            if let entry = outstanding[sequence], !entry.returned, entry.routingKey == routingKey {
                outstanding[sequence]?.returned = true
                lastReturned = sequence
                return true
            }
            sequence += 1
        }
        return false
    }

    /// Resolves a basic.ack (`ack`) or basic.nack for `tag` (and every lower one when `multiple`);
    /// returns the resolved messages in sequence order. A tag never published resolves nothing.
    public mutating func confirm(_ tag: UInt64, multiple: Bool, ack: Bool) -> [(item: Item, outcome: Outcome)] {
        guard tag >= lowest, tag < nextSequence else { return [] }
        var resolved: [(item: Item, outcome: Outcome)] = []
        let range = multiple ? lowest...tag : tag...tag
        for sequence in range {
            guard let entry = outstanding.removeValue(forKey: sequence) else { continue }
            resolved.append((entry.item, entry.returned ? .returned : (ack ? .confirmed : .nacked)))
        }
        while lowest < nextSequence, outstanding[lowest] == nil { lowest += 1 }
        return resolved
    }

    /// Forgets every outstanding message (the channel is gone); returns them in sequence order.
    public mutating func abandon() -> [Item] {
        let items = outstanding.keys.sorted().compactMap { outstanding[$0]?.item }
        outstanding.removeAll()
        lowest = nextSequence
        return items
    }
}
