/// The syslog facility (RFC 5424 §6.2.1), code 0...23, named as the routing key spells it.
public struct Facility: RawRepresentable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    public private(set) var rawValue: UInt8

    /// nil unless `rawValue` is in 0...23.
    public init?(rawValue: UInt8) {
        guard Int(rawValue) < Self.names.count else { return nil }
        self.rawValue = rawValue
    }

    /// The name used in routing keys and JSON, such as `auth` or `local7`.
    public var name: String { Self.names[Int(rawValue)] }
    public var description: String { name }

    public static let allCases: [Facility] = (0..<UInt8(names.count)).map { Facility(uncheckedRawValue: $0) }

    public static let kern = Facility(uncheckedRawValue: 0)
    public static let user = Facility(uncheckedRawValue: 1)
    public static let mail = Facility(uncheckedRawValue: 2)
    public static let daemon = Facility(uncheckedRawValue: 3)
    public static let auth = Facility(uncheckedRawValue: 4)
    public static let syslog = Facility(uncheckedRawValue: 5)
    public static let authpriv = Facility(uncheckedRawValue: 10)
    public static let local0 = Facility(uncheckedRawValue: 16)
    public static let local7 = Facility(uncheckedRawValue: 23)

    static let names = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
        "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ]

    init(uncheckedRawValue: UInt8) { rawValue = uncheckedRawValue }
}
