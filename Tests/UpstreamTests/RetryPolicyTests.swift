import Testing
import Upstream

/// Retries of refused messages: doubling delays with jitter, dead-letter past `maxRetries`, hostile numbers.
@Suite struct RetryPolicyTests {
    @Test func delaysDoubleWithEachRefusalThenTheMessageIsDeadLettered() {
        let policy = RetryPolicy(maxRetries: 5, minimumMilliseconds: 500, maximumMilliseconds: 30_000)
        let ceilings = [500, 1000, 2000, 4000, 8000]
        for (index, ceiling) in ceilings.enumerated() {
            #expect(policy.decide(failures: index + 1, random: 0) == .retry(afterMilliseconds: ceiling / 2))
            #expect(policy.decide(failures: index + 1, random: 0.999_999) == .retry(afterMilliseconds: ceiling - 1))
        }
        #expect(policy.decide(failures: 6, random: 0) == .deadLetter)
        #expect(policy.longestWaitMilliseconds == 15_500)
    }

    @Test func theDefaultsRideOutSecondsOfRefusals() {
        let policy = RetryPolicy(UpstreamConfiguration(name: "default", nodes: []))
        #expect(policy.maxRetries == 5 && policy.longestWaitMilliseconds == 15_500)
    }

    @Test func delaysStopAtTheMaximum() {
        let policy = RetryPolicy(maxRetries: 10, minimumMilliseconds: 100, maximumMilliseconds: 1000)
        #expect(policy.decide(failures: 10, random: 0.999_999) == .retry(afterMilliseconds: 999))
        #expect(policy.longestWaitMilliseconds == 100 + 200 + 400 + 800 + 6 * 1000)
    }

    @Test func noRetriesDeadLettersAtOnce() {
        let policy = RetryPolicy(maxRetries: 0, minimumMilliseconds: 500, maximumMilliseconds: 500)
        #expect(policy.decide(failures: 1, random: 0.5) == .deadLetter)
        #expect(policy.longestWaitMilliseconds == 0)
    }

    @Test func hostileNumbersNeitherTrapNorGoNegative() {
        let huge = RetryPolicy(maxRetries: Int.max, minimumMilliseconds: Int.max / 2, maximumMilliseconds: Int.max)
        #expect(huge.longestWaitMilliseconds == Int.max)
        #expect(huge.decide(failures: Int.max, random: .nan) == .retry(afterMilliseconds: Int.max / 2))
        let negative = RetryPolicy(maxRetries: -3, minimumMilliseconds: -1, maximumMilliseconds: Int.min)
        #expect(negative.decide(failures: 1, random: 0) == .deadLetter)
        #expect(negative.decide(failures: Int.min, random: .infinity) == .deadLetter)
    }
}
