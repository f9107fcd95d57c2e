import MetricsTestKit
import Testing

@testable import Syslog

/// A TCP listener's connection slots: the limit, what a refusal and a timeout count.
@Suite struct SyslogConnectionSlotsTests {
    @Test func onlyLimitSlotsAreTakenAndAGivenBackSlotIsTakenAgain() throws {
        let metrics = TestMetrics()
        let slots = SyslogConnectionSlots(listener: "tcp://127.0.0.1:5514", limit: 2, factory: metrics)
        #expect(slots.take() && slots.take())
        #expect(!slots.take())
        #expect(!slots.take())
        slots.release()
        #expect(slots.take())
        #expect(slots.open.load(ordering: .relaxed) == 2)
        #expect(slots.refused.load(ordering: .relaxed) == 2)
        let dimensions = [("listener", "tcp://127.0.0.1:5514")]
        #expect(try metrics.expectCounter("warren_syslog_connections_refused_total", dimensions).totalValue == 2)
        #expect(try metrics.expectGauge("warren_syslog_connections", dimensions).lastValue == 2)
    }

    @Test func aLimitOfZeroOrLessRefusesEveryConnection() {
        let slots = SyslogConnectionSlots(listener: "tcp://127.0.0.1:5514", limit: Int.min, factory: TestMetrics())
        #expect(!slots.take())
        #expect(slots.open.load(ordering: .relaxed) == 0)
    }

    @Test func partialFrameTimeoutsAreCounted() throws {
        let metrics = TestMetrics()
        let slots = SyslogConnectionSlots(listener: "tcp://[::1]:6514", limit: 1, factory: metrics)
        slots.countPartialFrameTimeout()
        #expect(slots.partialFrameTimeouts.load(ordering: .relaxed) == 1)
        #expect(try metrics.expectCounter("warren_syslog_partial_frame_timeouts_total", [("listener", "tcp://[::1]:6514")]).values == [1])
    }
}
