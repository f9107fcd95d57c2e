import Broker
import Foundation

/// A point in time on the command line: an interval back from now (`1h`, `30m`, `7D`, `1h 30m`,
/// units as RabbitMQ's `x-max-age`), an ISO 8601 time (`2026-12-07T03:00:00Z`), or Unix seconds.
struct TimeArgument: Equatable {
    /// Seconds since 1970.
    var seconds: UInt64

    init(parsing text: String, now: Date = Date()) throws {
        let nowSeconds = Int64(now.timeIntervalSince1970)
        if let interval = StreamArguments.duration(text) {
            seconds = UInt64(max(0, nowSeconds - interval / 1000))
        } else if !text.isEmpty, text.utf8.allSatisfy({ UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 }), let value = UInt64(text), value <= UInt64(Int64.max) / 1000 {
            seconds = value
        } else if let date = ISO8601DateFormatter().date(from: text) {
            seconds = UInt64(max(0, date.timeIntervalSince1970))
        } else {
            throw CommandFailure("not a time: '\(text)' (give an interval such as 1h or 30m, an ISO 8601 time, or Unix seconds)")
        }
    }
}
