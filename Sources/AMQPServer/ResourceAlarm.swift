import Synchronization

/// The alarm currently raised, readable from every connection's loop without a lock; front ends
/// that must act on a change (the AMQP listener tells its connections) observe it.
public final class ResourceAlarm: Sendable {
    /// Which alarm is raised.
    public enum Kind: UInt8, Sendable {
        case none = 0, memory = 1, disk = 2

        public var reason: String {
            switch self {
            case .none: ""
            case .memory: "low on memory"
            case .disk: "low on disk"
            }
        }
    }

    private let raised = Atomic<UInt8>(Kind.none.rawValue)
    private let observers = Mutex<(next: Int, all: [Int: @Sendable (Kind) -> Void])>((0, [:]))

    public init() {}

    public var current: Kind { Kind(rawValue: raised.load(ordering: .relaxed)) ?? .none }

    /// Calls `observer` with every change from now on; returns the key that `stopObserving` takes.
    func observe(_ observer: @escaping @Sendable (Kind) -> Void) -> Int {
        observers.withLock { state in
            state.next += 1
            state.all[state.next] = observer
            return state.next
        }
    }

    func stopObserving(_ key: Int) {
        _ = observers.withLock { $0.all.removeValue(forKey: key) }
    }

    /// Sets the alarm and tells the observers; true when it changed.
    func set(_ kind: Kind) -> Bool {
        guard raised.exchange(kind.rawValue, ordering: .relaxed) != kind.rawValue else { return false }
        for observer in observers.withLock({ Array($0.all.values) }) { observer(kind) }
        return true
    }
}

/// Sent through each connection's pipeline when the alarm is raised or cleared.
struct ResourceAlarmChanged: Sendable {
    var kind: ResourceAlarm.Kind
}
