import Testing

@testable import Broker

/// The rule: behind above `high` while consumers take messages fast and recently, caught up at
/// `low`, and never behind for absent, stalled or slow consumers, whatever values come in.
@Suite struct BacklogPressureTests {
    /// A queue's state as consumers take `perLook` messages every `step` milliseconds.
    struct Feed {
        var pressure = BacklogPressure(high: 10, low: 4)
        var now: Int64 = 1_000
        var taken = 0

        mutating func look(ready: Int, took: Int, after step: Int64 = 10, hasConsumers: Bool = true) -> BacklogPressure.Change? {
            now += step
            taken += took
            return pressure.update(ready: ready, taken: taken, hasConsumers: hasConsumers, now: now)
        }

        /// Consumers taking 100 messages every 10 ms (10,000 a second) for a while.
        mutating func warmUp() {
            for _ in 0..<5 { _ = look(ready: 0, took: 100) }
        }
    }

    @Test func fallsBehindAboveHighWhileConsumersDrainFastAndCatchesUpAtLow() {
        var feed = Feed()
        feed.warmUp()
        let changes = [
            feed.look(ready: 10, took: 100),
            feed.look(ready: 11, took: 100),
            feed.look(ready: 30, took: 100),
            feed.look(ready: 5, took: 100),
            feed.look(ready: 4, took: 100),
            feed.look(ready: 9, took: 100),
        ]
        #expect(changes == [nil, .fellBehind, nil, nil, .caughtUp, nil])
        #expect(!feed.pressure.isBehind)
    }

    @Test func consumersThatNeverTookAnythingHoldNobody() {
        var feed = Feed()
        for _ in 0..<20 { #expect(feed.look(ready: 1_000_000, took: 0) == nil) }
    }

    @Test func consumersThatStalledHoldNobodyAndEndAHold() {
        var feed = Feed()
        feed.warmUp()
        #expect(feed.look(ready: 50, took: 100) == .fellBehind)
        var released: Int64?
        for step in 1...20 where released == nil {
            if feed.look(ready: 50, took: 0) == .caughtUp { released = Int64(step) * 10 }
        }
        #expect(released.map { $0 <= BacklogPressure.freshness + 10 } == true)  // the first look once freshness ran out
        for _ in 0..<20 { #expect(feed.look(ready: 1_000_000, took: 0) == nil) }
    }

    @Test func slowConsumersHoldNobody() {
        var feed = Feed()  // 10 messages take 1 s at one message every 100 ms: far above the bound
        for _ in 0..<50 { #expect(feed.look(ready: 1_000, took: 1, after: 100) == nil) }
    }

    @Test func oneBurstOfAPrefetchWorthIsNoEvidenceOfDraining() {
        var feed = Feed(pressure: BacklogPressure())  // 500 in 50 ms needs 10,000 a second
        #expect(feed.look(ready: 0, took: 0) == nil)
        #expect(feed.look(ready: 0, took: 200) == nil)
        for _ in 0..<20 { #expect(feed.look(ready: 100_000, took: 0) == nil) }
    }

    @Test func absentConsumersHoldNobody() {
        var feed = Feed()
        feed.warmUp()
        #expect(feed.look(ready: 1_000_000, took: 100, hasConsumers: false) == nil)
        #expect(feed.look(ready: 11, took: 100) == .fellBehind)
        #expect(feed.look(ready: 1_000_000, took: 100, hasConsumers: false) == .caughtUp)
    }

    @Test func aHoldAsksForARecheckAndForgetsItWhenItEnds() {
        var feed = Feed()
        feed.warmUp()
        #expect(feed.pressure.recheckAt == nil)
        #expect(feed.look(ready: 50, took: 100) == .fellBehind)
        let first = feed.now + BacklogPressure.recheckInterval
        #expect(feed.pressure.recheckAt == first)
        #expect(feed.look(ready: 50, took: 100, after: 5) == nil)
        #expect(feed.pressure.recheckAt == first)  // not moved on before it is due
        #expect(feed.look(ready: 50, took: 100, after: 20) == nil)
        #expect(feed.pressure.recheckAt == feed.now + BacklogPressure.recheckInterval)
        #expect(feed.look(ready: 0, took: 100) == .caughtUp)
        #expect(feed.pressure.recheckAt == nil)
    }

    @Test func aClockThatGoesBackEndsAHold() {
        var feed = Feed()
        feed.warmUp()
        #expect(feed.look(ready: 50, took: 100) == .fellBehind)
        #expect(feed.look(ready: 50, took: 100, after: -3_600_000) == .caughtUp)
    }

    @Test func hostileCountsAndTimesAreTamed() {
        var feed = Feed()
        feed.warmUp()
        feed.taken = .max - 50
        _ = feed.look(ready: .max, took: 0)
        _ = feed.pressure.update(ready: .max, taken: .min, hasConsumers: true, now: .max)
        #expect(feed.pressure.update(ready: .min, taken: 0, hasConsumers: true, now: .min) != .fellBehind)
        #expect(feed.pressure.update(ready: .max, taken: .max, hasConsumers: true, now: .max) != .fellBehind)
        #expect(feed.pressure.recheckAt == nil || feed.pressure.recheckAt == .max)
        var late = Feed(now: .max - 60)
        late.warmUp()
        #expect(late.look(ready: 50, took: 100) == .fellBehind)
        #expect(late.pressure.recheckAt == .max)  // now is Int64.max: the recheck saturates
        var wrapped = Feed()
        wrapped.warmUp()
        wrapped.taken = 0  // a count that went down restarts the measurement
        for _ in 0..<3 { #expect(wrapped.look(ready: 1_000, took: 0) != .fellBehind) }
    }

    @Test func hostileWatermarksAreTamed() {
        let inverted = BacklogPressure(high: .min, low: .max)
        #expect(inverted.high == 1 && inverted.low == 0)
        let huge = BacklogPressure(high: .max, low: .max)
        #expect(huge.high == .max && huge.low == .max - 1)
        var hugeFeed = Feed(pressure: huge)
        hugeFeed.warmUp()
        #expect(hugeFeed.look(ready: .max, took: 100) == nil)
        let negative = BacklogPressure(high: 5, low: -3)
        #expect(negative.low == 0)
    }
}
