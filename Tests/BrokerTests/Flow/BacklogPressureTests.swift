import Testing

@testable import Broker

/// The watermarks: behind above `high` with consumers, caught up at `low` or without consumers.
@Suite struct BacklogPressureTests {
    @Test func fallsBehindAboveHighAndCatchesUpAtLow() {
        var pressure = BacklogPressure(high: 10, low: 4)
        let changes = [
            pressure.update(ready: 10, hasConsumers: true),
            pressure.update(ready: 11, hasConsumers: true),
            pressure.update(ready: 30, hasConsumers: true),
            pressure.update(ready: 5, hasConsumers: true),
            pressure.update(ready: 4, hasConsumers: true),
            pressure.update(ready: 9, hasConsumers: true),
        ]
        #expect(changes == [nil, .fellBehind, nil, nil, .caughtUp, nil])
        #expect(!pressure.isBehind)
    }

    @Test func aQueueWithoutConsumersIsNeverBehind() {
        var pressure = BacklogPressure(high: 10, low: 4)
        #expect(pressure.update(ready: 1_000_000, hasConsumers: false) == nil)
        #expect(pressure.update(ready: 11, hasConsumers: true) == .fellBehind)
        #expect(pressure.update(ready: 1_000_000, hasConsumers: false) == .caughtUp)
    }

    @Test func hostileWatermarksAndCountsAreTamed() {
        var inverted = BacklogPressure(high: .min, low: .max)
        #expect(inverted.high == 1 && inverted.low == 0)
        #expect(inverted.update(ready: .max, hasConsumers: true) == .fellBehind)
        #expect(inverted.update(ready: .min, hasConsumers: true) == .caughtUp)
        let huge = BacklogPressure(high: .max, low: .max)
        #expect(huge.high == .max && huge.low == .max - 1)
        var negative = BacklogPressure(high: 5, low: -3)
        #expect(negative.low == 0)
        #expect(negative.update(ready: -1, hasConsumers: true) == nil)
    }
}
