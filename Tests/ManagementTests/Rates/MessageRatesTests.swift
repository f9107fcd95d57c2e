import Broker
import Synchronization
import Testing

@testable import Management

/// Rates sampled every 5 s as RabbitMQ's management API gives them, on an injected clock.
@Suite struct MessageRatesTests {
    final class TestClock: Sendable {
        let now = Atomic<Int64>(1_700_000_000_000)
        func advance(by milliseconds: Int64) { now.add(milliseconds, ordering: .relaxed) }
    }

    let clock = TestClock()
    let rates: MessageRates

    init() {
        let clock = clock
        rates = MessageRates(clock: { clock.now.load(ordering: .relaxed) })
    }

    /// Samples the overview every 5 s with `published` taking the given values.
    private func record(published values: [Int], key: String = MessageRates.overviewKey) {
        for value in values {
            var counts = MessageCounts()
            counts.published = value
            rates.record([key: RateField.values(counts, ready: value, unacknowledged: 0)])
            clock.advance(by: MessageRates.interval)
        }
    }

    private func publishDetails(_ range: SampleRange?, key: String = MessageRates.overviewKey) -> [String: Any] {
        let stats = rates.details(key: key, fields: RateField.channelCounters, current: Array(repeating: 0, count: RateField.allCases.count),
                                  range: range)
        return stats["publish_details"] as? [String: Any] ?? [:]
    }

    @Test func theRateIsTheChangeOverTheLastIntervalPerSecond() {
        #expect(publishDetails(nil)["rate"] as? Double == 0)
        record(published: [0, 50, 75])
        #expect(publishDetails(nil)["rate"] as? Double == 5)
        #expect(publishDetails(nil)["samples"] == nil)
    }

    @Test func aRangeGivesSamplesNewestFirstOnItsIncrementWithAverages() throws {
        record(published: [0, 10, 20, 30, 40])
        clock.now.store(clock.now.load(ordering: .relaxed) - MessageRates.interval, ordering: .relaxed)
        let range = try #require(try parse("20", "10"))
        let details = publishDetails(range)
        let samples = try #require(details["samples"] as? [[String: Any]])
        let now = clock.now.load(ordering: .relaxed)
        let newest = now - now % 10_000
        #expect(samples.compactMap { $0["timestamp"] as? Int64 } == [newest, newest - 10_000, newest - 20_000])
        #expect(samples.count == 3)
        let values = samples.compactMap { $0["sample"] as? Int }
        #expect(values.count == 3 && values[0] > values[1] && values[1] > values[2])
        #expect(details["avg_rate"] as? Double == Double(values[0] - values[2]) / 20)
        #expect(details["avg"] as? Double == (Double(values.reduce(0, +)) / 3 * 10).rounded() / 10)
    }

    private func parse(_ age: String?, _ increment: String?) throws -> SampleRange? {
        try SampleRange.parse(age: age, increment: increment, prefix: "msg_rates", retention: MessageRates.overviewRetention)
    }

    @Test func rangesAreHeldToTheHistoryAndRabbitMQsBoundsRefused() throws {
        let now: Int64 = 1_700_000_000_000
        #expect(try #require(try parse("500", "1")).timestamps(now: now).count == 501)
        #expect(try #require(try parse("500", "1")).limited(to: MessageRates.objectRetention).timestamps(now: now).count == 61)
        #expect(try #require(try parse(String(Int64.max), String(Int64.max))).timestamps(now: now).count == 2)
        // RabbitMQ 3.10.8 answers each of these 400 "Invalid range parameters: age …, incr …".
        for (age, increment) in [("501", "1"), ("600", "1"), (String(Int64.max), "1"), ("60", "0"), ("-5", "5"),
                                 ("1e18", "5"), ("60", nil), ("NaN", "5")] as [(String?, String?)] {
            #expect(throws: APIError.self) { _ = try parse(age, increment) }
        }
        #expect(try parse(nil, nil) == nil)
    }

    @Test func historiesAreBoundedAndGoWithTheirObject() {
        var history = SampleHistory(capacity: 13)
        for time in 0..<1_000 { history.record(time: Int64(time) * 5_000, values: [time]) }
        #expect(history.samples.count == 13)
        #expect(history.value(0, at: 0) == 987)  // before the history: its oldest value
        let queue = MessageRates.queueKey(vhost: "/", name: "q")
        record(published: [0, 10], key: queue)
        #expect(publishDetails(nil, key: queue)["rate"] as? Double == 2)
        rates.record([MessageRates.overviewKey: Array(repeating: 0, count: RateField.allCases.count)])
        #expect(publishDetails(nil, key: queue)["rate"] as? Double == 0)
    }

    @Test func theNodeHistoryAnswersAnHourAtOneSampleAMinuteAndStaysBounded() throws {
        // Two hours of 5 s samples, `published` counting the seconds since the first.
        for step in 0..<1_440 { record(published: [step * 5]) }
        let samples = try #require(publishDetails(try parse("3600", "60"))["samples"] as? [[String: Any]])
        #expect(samples.count == 61)
        let now = clock.now.load(ordering: .relaxed)
        let values = samples.compactMap { $0["sample"] as? Int }
        let times = samples.compactMap { $0["timestamp"] as? Int64 }
        #expect(times.first == now - now % 60_000 && times.last == times[0] - 3_600_000)
        // Every reported value is the counter as of its timestamp, within one 5 s sample.
        let start = now - 1_440 * MessageRates.interval
        for (time, value) in zip(times, values) {
            let expected = Int((time - start) / 1_000)
            #expect(value <= expected && value >= expected - 5, "at \(time)")
        }
        let history = SampleHistory(capacity: 121, coarseCapacity: 61)
        var filled = history
        for step in 0..<10_000 { filled.record(time: Int64(step) * 5_000, values: [step]) }
        #expect(filled.samples.count == 121 && filled.coarse.count == 61)
        #expect(filled.value(0, at: 0) == filled.coarse.first?.values[0])  // before the history: its oldest value
    }

    @Test func aQueuesHistoryKeepsAMinuteWhateverTheRangeAsked() throws {
        let queue = MessageRates.queueKey(vhost: "/", name: "q")
        for step in 0..<100 { record(published: [step], key: queue) }
        let samples = try #require(publishDetails(try parse("3600", "60"), key: queue)["samples"] as? [[String: Any]])
        #expect(samples.count == 2)
    }

    @Test func syslogIntakeIsSampledPerSeverity() throws {
        for step in 0..<3 {
            rates.record([MessageRates.syslogKey: [0, 0, 0, step * 10, 0, 0, step * 50, 0]])
            clock.advance(by: MessageRates.interval)
        }
        let stats = rates.details(key: MessageRates.syslogKey, names: SyslogIntake.fields, current: [0, 0, 0, 20, 0, 0, 100, 0],
                                  range: try parse("60", "5"))
        #expect(stats["info"] as? Int == 100)
        #expect((stats["info_details"] as? [String: Any])?["rate"] as? Double == 10)
        #expect((stats["error_details"] as? [String: Any])?["rate"] as? Double == 2)
        #expect(((stats["debug_details"] as? [String: Any])?["samples"] as? [Any])?.count == 13)
    }
}
