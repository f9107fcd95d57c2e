import Testing
import Upstream

/// The window of unconfirmed publishes: single, multiple and out-of-order confirms, returns, abandon.
@Suite struct ConfirmWindowTests {
    @Test func multipleAckResolvesEverythingUpToTheTagInOrder() {
        var window = ConfirmWindow<String>(capacity: 10)
        for name in ["a", "b", "c", "d"] { window.published(name, routingKey: "k") }
        let resolved = window.confirm(3, multiple: true, ack: true)
        #expect(resolved.map(\.item) == ["a", "b", "c"])
        #expect(resolved.allSatisfy { $0.outcome == .confirmed })
        #expect(window.count == 1)
    }

    @Test func outOfOrderSingleConfirmsAndNacks() {
        var window = ConfirmWindow<Int>(capacity: 10)
        for number in 1...3 { window.published(number, routingKey: "k") }
        #expect(window.confirm(2, multiple: false, ack: false).map(\.outcome) == [.nacked])
        #expect(window.confirm(1, multiple: false, ack: true).map(\.item) == [1])
        #expect(window.confirm(3, multiple: true, ack: true).map(\.item) == [3])
        #expect(window.isEmpty)
    }

    @Test func unknownOrRepeatedTagsResolveNothing() {
        var window = ConfirmWindow<Int>(capacity: 2)
        window.published(1, routingKey: "k")
        #expect(window.confirm(0, multiple: true, ack: true).isEmpty)
        #expect(window.confirm(UInt64.max, multiple: true, ack: true).isEmpty)
        #expect(window.confirm(1, multiple: false, ack: true).count == 1)
        #expect(window.confirm(1, multiple: false, ack: true).isEmpty)
    }

    @Test func aReturnMarksTheOldestUnreturnedMessageWithItsRoutingKey() {
        var window = ConfirmWindow<String>(capacity: 10)
        window.published("x1", routingKey: "x")
        window.published("y1", routingKey: "y")
        window.published("y2", routingKey: "y")
        let matches = (0..<3).map { _ in window.returned(routingKey: "y") }
        #expect(matches == [true, true, false])
        let resolved = window.confirm(3, multiple: true, ack: true)
        #expect(resolved.map(\.outcome) == [.confirmed, .returned, .returned])
    }

    @Test func fullnessFollowsCapacityAndAbandonGivesBackInOrder() {
        var window = ConfirmWindow<Int>(capacity: 3)
        for number in 1...3 { window.published(number, routingKey: "k") }
        #expect(window.isFull)
        _ = window.confirm(2, multiple: false, ack: true)
        #expect(!window.isFull)
        #expect(window.abandon() == [1, 3])
        #expect(window.isEmpty && window.confirm(3, multiple: true, ack: true).isEmpty)
    }
}
