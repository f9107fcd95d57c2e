import Foundation

/// Times as the management API writes them.
enum UpstreamClock {
    /// Now, in ISO 8601 with seconds (UTC).
    static func now() -> String {
        Date().formatted(.iso8601)
    }
}
