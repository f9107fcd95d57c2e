/// The syslog severity (RFC 5424 §6.2.1), code 0 (emergency) ... 7 (debug).
public struct Severity: SyslogCode {
    public private(set) var rawValue: UInt8

    public static let emergency = Severity(uncheckedRawValue: 0)
    public static let alert = Severity(uncheckedRawValue: 1)
    public static let critical = Severity(uncheckedRawValue: 2)
    public static let error = Severity(uncheckedRawValue: 3)
    public static let warning = Severity(uncheckedRawValue: 4)
    public static let notice = Severity(uncheckedRawValue: 5)
    public static let info = Severity(uncheckedRawValue: 6)
    public static let debug = Severity(uncheckedRawValue: 7)

    public static let names = ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"]

    public init(uncheckedRawValue: UInt8) { rawValue = uncheckedRawValue }
}
