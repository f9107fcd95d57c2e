import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// Ready messages in delivery order: by capped priority, then by sequence; requeued ones back in place.
@Suite struct ReadyMessagesTests {
    static func entry(_ sequence: UInt64, priority: UInt8? = nil) -> QueuedMessage {
        let header = ContentHeader(bodySize: 0, properties: BasicProperties(priority: priority))
        return QueuedMessage(message: Message(exchange: "", routingKey: "q", header: header, body: ByteBuffer()),
                             sequence: sequence, redelivered: false)
    }

    static func drain(_ ready: inout ReadyMessages) -> [UInt64] {
        var order: [UInt64] = []
        while let next = ready.popFirst() { order.append(next.sequence) }
        return order
    }

    @Test func plainQueueIsFIFOAndIgnoresPriority() {
        var ready = ReadyMessages()
        for (sequence, priority) in [(0, 9), (1, 0), (2, 255)] { ready.insert(Self.entry(UInt64(sequence), priority: UInt8(priority))) }
        #expect(Self.drain(&ready) == [0, 1, 2])
        #expect(ready.isEmpty && ready.count == 0)
    }

    @Test func priorityAboveTheMaximumCountsAsTheMaximum() {
        var ready = ReadyMessages()
        ready.setMaxPriority(5)
        ready.insert(Self.entry(0, priority: 5))
        ready.insert(Self.entry(1, priority: 255))  // capped at 5: behind 0
        ready.insert(Self.entry(2, priority: 1))
        ready.insert(Self.entry(3))                 // no priority: 0
        #expect(Array(ready).map(\.sequence) == [0, 1, 2, 3])
        #expect(ready.firstExpiry == .max)
        #expect(Self.drain(&ready) == [0, 1, 2, 3])
    }

    @Test func requeuedMessagesGoBackToTheirPlaceWithinTheirPriority() {
        var ready = ReadyMessages()
        ready.setMaxPriority(2)
        for sequence in 0..<6 { ready.insert(Self.entry(UInt64(sequence), priority: UInt8(sequence % 2))) }
        let taken = [ready.popFirst(), ready.popFirst()].compactMap { entry -> QueuedMessage? in  // 1 and 3 (priority 1)
            guard case .inMemory(let queued)? = entry else { return nil }
            return queued
        }
        for entry in taken.reversed() { ready.insert(entry) }
        #expect(Self.drain(&ready) == [1, 3, 5, 0, 2, 4])
    }

    @Test func changingTheMaximumResortsWhatIsHeld() {
        var ready = ReadyMessages()
        for sequence in 0..<4 { ready.insert(Self.entry(UInt64(sequence), priority: UInt8(sequence))) }
        ready.setMaxPriority(10)
        #expect(Self.drain(&ready) == [3, 2, 1, 0])
    }

    @Test func manyLowThenManyHighKeepsOrder() {
        // The pattern that made a single sorted deque shift every low message for every high one.
        var ready = ReadyMessages()
        ready.setMaxPriority(255)
        let half = 20_000
        for sequence in 0..<half { ready.insert(Self.entry(UInt64(sequence), priority: 1)) }
        for sequence in half..<(2 * half) { ready.insert(Self.entry(UInt64(sequence), priority: 200)) }
        #expect(ready.count == 2 * half)
        let order = Self.drain(&ready)
        #expect(order == Array(UInt64(half)..<UInt64(2 * half)) + Array(0..<UInt64(half)))
    }

    @Test func removeAllReturnsEverythingInDeliveryOrder() {
        var ready = ReadyMessages()
        ready.setMaxPriority(3)
        for sequence in 0..<4 { ready.insert(Self.entry(UInt64(sequence), priority: UInt8(sequence % 2 * 3))) }
        let removed = ready.removeAll()
        #expect(removed.map(\.sequence) == [1, 3, 0, 2])
        #expect(removed.count == 4 && ready.isEmpty && ready.firstExpiry == nil)
    }
}
