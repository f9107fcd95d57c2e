import Testing
import Upstream

/// Reconnect delays: doubling within bounds, jitter in the upper half, reset, hostile randomness.
@Suite struct ReconnectBackoffTests {
    @Test func delaysDoubleUpToTheMaximumAndStayWithinTheirHalf() {
        var backoff = ReconnectBackoff(minimumMilliseconds: 100, maximumMilliseconds: 1000)
        let ceilings = [100, 200, 400, 800, 1000, 1000]
        for ceiling in ceilings {
            let low = backoff.nextDelay(random: 0)
            #expect(low == ceiling / 2)
        }
        var high = ReconnectBackoff(minimumMilliseconds: 100, maximumMilliseconds: 1000)
        for ceiling in ceilings {
            let delay = high.nextDelay(random: 0.999_999)
            #expect(delay <= ceiling && delay >= ceiling - 1)
        }
    }

    @Test func manyFailuresNeitherTrapNorPassTheMaximum() {
        var backoff = ReconnectBackoff(minimumMilliseconds: Int.max / 2, maximumMilliseconds: Int.max)
        for _ in 0..<200 {
            let delay = backoff.nextDelay(random: 1)
            #expect(delay >= 0 && delay <= Int.max)
        }
    }

    @Test func nonFiniteRandomnessIsHarmless() {
        var backoff = ReconnectBackoff(minimumMilliseconds: 10, maximumMilliseconds: 10)
        #expect(backoff.nextDelay(random: .nan) == 5)
        #expect(backoff.nextDelay(random: .infinity) == 5)
        #expect(backoff.nextDelay(random: -3) == 5)
    }

    @Test func resetStartsFromTheMinimumAgain() {
        var backoff = ReconnectBackoff(minimumMilliseconds: 10, maximumMilliseconds: 10_000)
        for _ in 0..<5 { _ = backoff.nextDelay(random: 0) }
        backoff.reset()
        #expect(backoff.nextDelay(random: 0) == 5)
    }
}
