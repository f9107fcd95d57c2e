import Histogram
import NIOConcurrencyHelpers

/// Latencies (arrival − due time written in the message) in microseconds, in an HdrHistogram
/// with 3 significant digits; safe to record from a consumer's event loop.
final class LatencyRecorder: Sendable {
    static let highest: UInt64 = 3_600_000_000  // one hour, in µs
    private let histogram = NIOLockedValueBox(Histogram<UInt64>(highestTrackableValue: LatencyRecorder.highest, numberOfSignificantValueDigits: .three))
    private let arrivals = Arrivals()

    /// Records the body's latency at `time`; bodies without a stamp are not counted.
    func record<Bytes: Collection<UInt8>>(_ body: Bytes, at time: UInt64) {
        guard let stamp = MessageStamp.stamp(in: body) else { return }
        record(nanoseconds: time > stamp ? time - stamp : 0)
    }

    /// Records one latency given in nanoseconds (clamped to `highest`).
    func record(nanoseconds: UInt64) {
        let micros = min(Self.highest, nanoseconds / 1000)
        let count = histogram.withLockedValue {
            $0.record(micros)
            return Int($0.totalCount)
        }
        arrivals.signal(count)
    }

    var count: Int { histogram.withLockedValue { Int($0.totalCount) } }

    /// Waits until `target` latencies are recorded or `timeout` passed.
    func wait(for target: Int, timeout: Duration) async {
        await arrivals.wait(for: target, current: count, timeout: timeout)
    }

    /// p50, p99, p99.9 and max in milliseconds.
    var percentiles: (p50: Double, p99: Double, p999: Double, max: Double) {
        histogram.withLockedValue {
            (Double($0.valueAtPercentile(50)) / 1000, Double($0.valueAtPercentile(99)) / 1000,
             Double($0.valueAtPercentile(99.9)) / 1000, Double($0.max) / 1000)
        }
    }
}
