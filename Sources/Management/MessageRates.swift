import Broker
import Foundation
import NIOConcurrencyHelpers

/// Message rates as RabbitMQ's management API gives them: every object's counters and lengths are
/// sampled every 5 s (`sample`), and a request gets the current values with `*_details`: the
/// rate over the last interval and, when it asks for a range (`msg_rates_age`/`msg_rates_incr`,
/// `lengths_age`/`lengths_incr`), the samples, their average and the average rate over it. The
/// node's series (the overview's and syslog intake's) keep every sample for 10 minutes and one a
/// minute for an hour, as RabbitMQ's retention policy does; each queue, exchange and channel 1
/// minute. An object's history goes when the object does, so memory is bounded by the objects
/// that exist, whatever a client asks.
final class MessageRates: Sendable {
    static let interval: Int64 = 5_000
    static let recentRetention: Int64 = 600_000
    static let coarseInterval: Int64 = 60_000
    static let overviewRetention: Int64 = 3_600_000
    static let objectRetention: Int64 = 60_000
    static let overviewKey = "overview"
    /// The node's syslog intake: entries received per severity (values in `Severity` code order).
    static let syslogKey = "syslog"
    /// A key nothing is sampled under: the overview of a user who sees several but not all vhosts
    /// has current values and no rates (summing histories across vhosts is not done).
    static let unsampledKey = "unsampled"

    private let histories = NIOLockedValueBox<[String: SampleHistory]>([:])
    /// Milliseconds since the epoch (RabbitMQ's sample timestamps); injected by tests.
    let clock: @Sendable () -> Int64

    init(clock: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }) {
        self.clock = clock
    }

    /// The history key of a queue (NUL cannot be in a name, so no two queues share one).
    static func queueKey(vhost: String, name: String) -> String { "queue\u{0}\(vhost)\u{0}\(name)" }
    static func exchangeKey(vhost: String, name: String) -> String { "exchange\u{0}\(vhost)\u{0}\(name)" }
    /// The history of one vhost's counters and lengths: the overview of a user scoped to that vhost.
    static func vhostKey(_ vhost: String) -> String { "vhost\u{0}\(vhost)" }
    static func channelKey(connection: UInt64, number: UInt16) -> String { "channel\u{0}\(connection)\u{0}\(number)" }

    /// Records one sample of every object now (values in `RateField.allCases` order); forgets the
    /// objects not among them.
    func record(_ objects: [String: [Int]]) {
        let now = clock()
        histories.withLockedValue { histories in
            histories = histories.filter { objects[$0.key] != nil }
            for (key, values) in objects {
                histories[key, default: Self.emptyHistory(key)].record(time: now, values: values)
            }
        }
    }

    private static func isNodeSeries(_ key: String) -> Bool { key == overviewKey || key == syslogKey }

    /// The node's series keep a coarse sample for each of the hour's minutes, the one before
    /// it (the value as of the hour's first timestamp) and the current one.
    private static func emptyHistory(_ key: String) -> SampleHistory {
        guard isNodeSeries(key) else { return SampleHistory(capacity: Int(objectRetention / interval) + 1) }
        return SampleHistory(capacity: Int(recentRetention / interval) + 1, coarseCapacity: Int(overviewRetention / coarseInterval) + 2,
                             coarseInterval: coarseInterval)
    }

    /// `name` and `name_details` for each field, the value being the current one.
    func details(key: String, fields: [RateField], current: [Int], range: SampleRange?) -> [String: Any] {
        details(key: key, names: fields.map { (name: $0.name, index: $0.rawValue) }, current: current, range: range)
    }

    /// `name` and `name_details` for each named value (its index in a sample and in `current`).
    func details(key: String, names: [(name: String, index: Int)], current: [Int], range: SampleRange?) -> [String: Any] {
        let now = clock()
        let history = histories.withLockedValue { $0[key] }
        let retention = Self.isNodeSeries(key) ? Self.overviewRetention : Self.objectRetention
        var result: [String: Any] = [:]
        for (name, index) in names {
            result[name] = current[index]
            result["\(name)_details"] = Self.details(history, index, range: range?.limited(to: retention), now: now)
        }
        return result
    }

    private static func details(_ history: SampleHistory?, _ index: Int, range: SampleRange?, now: Int64) -> [String: Any] {
        var result: [String: Any] = ["rate": history?.rate(index) ?? 0.0]
        guard let range else { return result }
        let samples = range.timestamps(now: now).map { (time: $0, value: history?.value(index, at: $0) ?? 0) }
        result["samples"] = samples.map { ["sample": $0.value, "timestamp": $0.time] }
        let total = samples.reduce(0.0) { $0 + Double($1.value) }
        result["avg"] = samples.isEmpty ? 0.0 : (total / Double(samples.count) * 10).rounded() / 10
        if let newest = samples.first, let oldest = samples.last, newest.time > oldest.time {
            let change = Double(newest.value) - Double(oldest.value)
            result["avg_rate"] = (change * 1000 / Double(newest.time - oldest.time) * 10).rounded() / 10
        } else {
            result["avg_rate"] = 0.0
        }
        return result
    }
}
