/// One coverage-guided fuzz target: a name (also its corpus folder under `Fuzz/corpus`) and a check
/// that runs one input and returns the invariant it broke, or nil. A trap inside the check is a crash.
public struct FuzzTarget: Sendable {
    public let name: String
    public let check: @Sendable ([UInt8]) -> String?

    public init(name: String, check: @escaping @Sendable ([UInt8]) -> String?) {
        self.name = name
        self.check = check
    }

    /// Every target, in the order `make fuzz` runs them (store-recovery in debug builds only).
    public static let all: [FuzzTarget] = {
        var targets: [FuzzTarget] = [.amqpFrames, .amqpMethod, .fieldTable, .basicProperties, .syslogParser, .syslogTCPFramer]
        #if DEBUG
        targets.append(.storeRecovery)
        #endif
        return targets
    }()

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
