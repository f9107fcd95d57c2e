import Synchronization

/// The current `AccessControl`, readable from any thread: the broker publishes every change here,
/// and the AMQP handshake and the management API read it (log in, open a vhost, see tags).
public final class AccessDirectory: Sendable {
    private let state: Mutex<AccessControl>

    public init(_ initial: AccessControl = AccessControl()) {
        state = Mutex(initial)
    }

    public var current: AccessControl { state.withLock { $0 } }

    func publish(_ access: AccessControl) {
        state.withLock { $0 = access }
    }
}
