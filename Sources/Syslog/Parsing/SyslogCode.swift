/// A small numbered syslog code with a name per value (facility 0...23, severity 0...7).
public protocol SyslogCode: RawRepresentable, Sendable, Hashable, CaseIterable, CustomStringConvertible
where RawValue == UInt8, AllCases == [Self] {
    /// The names, indexed by code.
    static var names: [String] { get }
    /// For codes already known to be in range (constants, `allCases`).
    init(uncheckedRawValue: UInt8)
}

extension SyslogCode {
    /// nil unless `rawValue` names a code.
    public init?(rawValue: UInt8) {
        guard Int(rawValue) < Self.names.count else { return nil }
        self.init(uncheckedRawValue: rawValue)
    }

    /// The name used in routing keys and JSON, such as `auth` or `critical`.
    public var name: String { Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : String(rawValue) }
    public var description: String { name }
    public static var allCases: [Self] { (0..<UInt8(names.count)).map(Self.init(uncheckedRawValue:)) }
    /// The code named `name` (`kern`, `critical`, …), or nil.
    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        self.init(uncheckedRawValue: UInt8(index))
    }
}
