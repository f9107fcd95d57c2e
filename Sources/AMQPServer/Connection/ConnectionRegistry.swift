import NIOConcurrencyHelpers
import NIOCore

/// Every open AMQP connection, so that shutdown can close them all with CONNECTION_FORCED.
final class ConnectionRegistry: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        channels.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        _ = channels.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var all: [any Channel] {
        channels.withLockedValue { Array($0.values) }
    }
}

/// Sent through each connection's pipeline when the server shuts down.
struct ServerShutdownEvent: Sendable {}
