import Foundation

extension LogEntry {
    /// An entry written on this host rather than received (`warren emit`, `warren ship`): timestamped
    /// `date` as RFC 3339 UTC with milliseconds; invalid UTF-8 in `message` replaced by U+FFFD.
    public init(local message: some Collection<UInt8>, facility: Facility, severity: Severity, hostname: String,
                appName: String, procID: String?, date: Date) {
        self.init(facility: facility, severity: severity, timestamp: UTCCalendar.iso8601Milliseconds(date),
                  hostname: hostname, appName: appName, procID: procID, message: String(decoding: message, as: UTF8.self))
    }
}
