import Testing

@testable import AMQPServer

/// The wait before the broker's timer fires never traps, whatever deadline and clock it is given.
@Suite struct LoopTimersTests {
    @Test(arguments: [
        (Int64(1_500), Int64(1_000), Int64(500)),
        (1_000, 1_000, 0),
        (500, 1_000, 0),                                  // overdue: at once
        (.max, 1_000, LoopTimers.longestDelay),           // never: wake once a day and re-arm
        (.max, -5, LoopTimers.longestDelay),              // the difference overflows
        (.min, 5, 0),
        (1_000 + 10 * 86_400_000, 1_000, LoopTimers.longestDelay),
    ])
    func delayIsClampedAndSaturated(_ deadline: Int64, _ now: Int64, _ expected: Int64) {
        #expect(LoopTimers.delay(until: deadline, from: now) == expected)
    }
}
