import AMQPWire
import DequeModule

/// A channel's deliveries awaiting basic.ack/nack/reject, in delivery-tag order. Settling one
/// leaves a gap instead of shifting the deque, so acknowledging in any order costs O(log n) per
/// ack (a consumer acking a large window back to front cannot stall the broker); gaps at the
/// front are dropped at once, the rest when they outnumber the deliveries still held.
struct UnackedDeliveries: Sequence {
    private var slots = Deque<(tag: UInt64, delivery: Unacked?)>()
    /// Slots held, gaps included: at most twice `count` plus a few, whatever the order of acks.
    var slotCount: Int { slots.count }
    /// Deliveries held (slots that are not gaps).
    private(set) var count = 0
    /// Deliveries held that went to consumers (not basic.get): what a global prefetch limits, as
    /// RabbitMQ's limiter counts (rabbit_channel:notify_limiter skips basic.get's acks).
    private(set) var consumedCount = 0

    var isEmpty: Bool { count == 0 }

    /// Adds a delivery; its tag is above every tag held.
    mutating func append(_ delivery: Unacked) {
        slots.append((delivery.tag, delivery))
        count += 1
        if delivery.consumer != nil { consumedCount += 1 }
    }

    /// Removes and returns the deliveries a basic.ack/nack/reject names, as RabbitMQ does:
    /// multiple with tag 0 means all; otherwise the tag itself must be held (406 if not),
    /// and multiple also takes every earlier one.
    mutating func settle(tag: UInt64, multiple: Bool) throws(AMQPError) -> [Unacked] {
        if multiple && tag == 0 { return Array(takeAll()) }
        let index = slots.partitioningIndex { $0.tag >= tag }
        guard index < slots.count, slots[index].tag == tag, let delivery = slots[index].delivery else {
            throw AMQPError(.preconditionFailed, "unknown delivery tag \(tag)")
        }
        guard multiple else {
            slots[index].delivery = nil
            count -= 1
            if delivery.consumer != nil { consumedCount -= 1 }
            dropGaps()
            return [delivery]
        }
        let settled = slots.prefix(index + 1).compactMap(\.delivery)
        slots.removeFirst(index + 1)
        count -= settled.count
        consumedCount -= settled.count(where: { $0.consumer != nil })
        dropGaps()
        return settled
    }

    /// Whether the delivery with this tag is held.
    func holds(_ tag: UInt64) -> Bool {
        let index = slots.partitioningIndex { $0.tag >= tag }
        return index < slots.count && slots[index].tag == tag && slots[index].delivery != nil
    }

    /// The highest tag held (gaps at the end are dropped at once).
    var lastTag: UInt64? { slots.last?.tag }

    /// Takes every delivery held (channel closing, basic.recover), in tag order.
    mutating func takeAll() -> [Unacked] {
        defer {
            slots.removeAll()
            count = 0
            consumedCount = 0
        }
        return Array(self)
    }

    func makeIterator() -> some IteratorProtocol<Unacked> {
        slots.lazy.compactMap(\.delivery).makeIterator()
    }

    private mutating func dropGaps() {
        while let first = slots.first, first.delivery == nil { slots.removeFirst() }
        while let last = slots.last, last.delivery == nil { slots.removeLast() }
        if slots.count > 64, slots.count > 2 * count {
            slots = Deque(slots.filter { $0.delivery != nil })  // O(n), once per n/2 gaps
        }
    }
}
