/// The syslog severity (RFC 5424 §6.2.1), code 0 (emergency) ... 7 (debug).
public struct Severity: RawRepresentable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    public private(set) var rawValue: UInt8

    /// nil unless `rawValue` is in 0...7.
    public init?(rawValue: UInt8) {
        guard Int(rawValue) < Self.names.count else { return nil }
        self.rawValue = rawValue
    }

    /// The name used in routing keys and JSON, such as `critical` or `debug`.
    public var name: String { Self.names[Int(rawValue)] }
    public var description: String { name }

    public static let allCases: [Severity] = (0..<UInt8(names.count)).map { Severity(uncheckedRawValue: $0) }

    public static let emergency = Severity(uncheckedRawValue: 0)
    public static let alert = Severity(uncheckedRawValue: 1)
    public static let critical = Severity(uncheckedRawValue: 2)
    public static let error = Severity(uncheckedRawValue: 3)
    public static let warning = Severity(uncheckedRawValue: 4)
    public static let notice = Severity(uncheckedRawValue: 5)
    public static let info = Severity(uncheckedRawValue: 6)
    public static let debug = Severity(uncheckedRawValue: 7)

    static let names = ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"]

    init(uncheckedRawValue: UInt8) { rawValue = uncheckedRawValue }
}
