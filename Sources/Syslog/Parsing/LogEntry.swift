/// One parsed syslog message (RFC 5424 or RFC 3164), ready to be routed as `<facility>.<severity>`.
public struct LogEntry: Sendable, Equatable {
    public var facility: Facility
    public var severity: Severity
    /// RFC 3339 text: a 5424 (or RFC 3339 3164) timestamp as sent, a classic 3164 one in UTC;
    /// nil when absent (NILVALUE, repaired message) or unusable (no such date or time).
    public var timestamp: String?
    public var hostname: String?
    /// RFC 5424 APP-NAME, or the name of an RFC 3164 TAG.
    public var appName: String?
    /// RFC 5424 PROCID, or the `[pid]` of an RFC 3164 TAG.
    public var procID: String?
    public var msgID: String?
    /// nil when the message has none; elements in the order sent.
    public var structuredData: [StructuredElement]?
    /// The free-form text; invalid UTF-8 replaced by U+FFFD, a leading BOM removed (5424).
    public var message: String
    /// True when an RFC 3164 §4.3.2/§4.3.3 repair was applied (no valid PRI or no usable header).
    public var repaired: Bool

    public init(facility: Facility, severity: Severity, timestamp: String? = nil, hostname: String? = nil,
                appName: String? = nil, procID: String? = nil, msgID: String? = nil,
                structuredData: [StructuredElement]? = nil, message: String, repaired: Bool = false) {
        self.facility = facility
        self.severity = severity
        self.timestamp = timestamp
        self.hostname = hostname
        self.appName = appName
        self.procID = procID
        self.msgID = msgID
        self.structuredData = structuredData
        self.message = message
        self.repaired = repaired
    }

    /// `<facility>.<severity>`, e.g. `auth.critical`: the topic routing key.
    public var routingKey: String { "\(facility.name).\(severity.name)" }
}
