import Testing

@testable import Broker

/// The timer schedule hands back exactly the queues that are due, ignores deadlines that were
/// replaced, and stays bounded however often deadlines move.
@Suite struct TimerScheduleTests {
    static func queue(_ name: String) -> Queue {
        Queue(name: name, vhost: "/", durable: false, autoDelete: false, arguments: [:], owner: nil)
    }

    @Test func dueQueuesComeBackInDeadlineOrderOnce() {
        var schedule = TimerSchedule()
        let (a, b, c) = (Self.queue("a"), Self.queue("b"), Self.queue("c"))
        schedule.schedule(c, at: 300)
        schedule.schedule(a, at: 100)
        schedule.schedule(b, at: 200)
        #expect(schedule.earliest == 100)
        #expect(schedule.takeDue(at: 200).map(\.name) == ["a", "b"])
        #expect(schedule.takeDue(at: 200).isEmpty)
        #expect(schedule.takeDue(at: 1000).map(\.name) == ["c"])
        #expect(schedule.earliest == nil)
    }

    @Test func aMovedOrClearedDeadlineReplacesTheOldOne() {
        var schedule = TimerSchedule()
        let (a, b, gone) = (Self.queue("a"), Self.queue("b"), Self.queue("gone"))
        schedule.schedule(a, at: 100)
        schedule.schedule(a, at: 500)   // later: the entry at 100 is stale
        schedule.schedule(b, at: 300)
        schedule.schedule(b, at: nil)   // nothing to wait for
        schedule.schedule(gone, at: 50)
        schedule.remove(gone)
        #expect(schedule.takeDue(at: 400).isEmpty)
        #expect(schedule.takeDue(at: 500).map(\.name) == ["a"])
    }

    @Test func deadlinesMovingForeverKeepTheHeapBounded() {
        var schedule = TimerSchedule()
        let queues = (0..<10).map { Self.queue("q\($0)") }
        for round in 0..<10_000 {
            for (index, queue) in queues.enumerated() { schedule.schedule(queue, at: Int64(1_000_000 + round * 10 + index)) }
            #expect(schedule.entryCount <= 2 * queues.count + 64)
        }
        #expect(schedule.takeDue(at: .max).count == queues.count)
    }
}
