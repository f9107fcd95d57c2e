/// The syslog facility (RFC 5424 §6.2.1), code 0...23, named as the routing key spells it.
public struct Facility: SyslogCode {
    public private(set) var rawValue: UInt8

    public static let kern = Facility(uncheckedRawValue: 0)
    public static let user = Facility(uncheckedRawValue: 1)
    public static let mail = Facility(uncheckedRawValue: 2)
    public static let daemon = Facility(uncheckedRawValue: 3)
    public static let auth = Facility(uncheckedRawValue: 4)
    public static let syslog = Facility(uncheckedRawValue: 5)
    public static let authpriv = Facility(uncheckedRawValue: 10)
    public static let local0 = Facility(uncheckedRawValue: 16)
    public static let local7 = Facility(uncheckedRawValue: 23)

    public static let names = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
        "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ]

    public init(uncheckedRawValue: UInt8) { rawValue = uncheckedRawValue }
}
