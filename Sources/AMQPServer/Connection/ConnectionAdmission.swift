import AMQPWire
import NIOConcurrencyHelpers

/// The node's open AMQP connections, in total and per vhost: one past `connection_max` or past a
/// vhost's `max-connections` is refused at connection.open with RabbitMQ's 530 texts. Also counts
/// the connections dropped for `handshake_timeout`, for `/metrics`.
public final class ConnectionAdmission: Sendable {
    /// `connection_max` and the vhosts' `max-connections`.
    public struct Limits: Sendable, Equatable {
        public var connectionMax: Int
        public var vhostMaxConnections: [String: Int]

        public init(connectionMax: Int, vhostMaxConnections: [String: Int] = [:]) {
            self.connectionMax = connectionMax
            self.vhostMaxConnections = vhostMaxConnections
        }
    }

    /// What has been counted so far; every field only grows except `open`.
    public struct Counts: Sendable, Equatable {
        public var open = 0
        public var openByVhost: [String: Int] = [:]
        public var refused = 0
        public var handshakeTimeouts = 0
    }

    public let limits: Limits
    private let counts = NIOLockedValueBox(Counts())

    public init(limits: Limits) {
        self.limits = limits
    }

    public var current: Counts { counts.withLockedValue { $0 } }

    /// Takes a slot for a connection opening `vhost`, or says why not.
    func admit(vhost: String, user: String) -> AMQPError? {
        let refusal: String? = counts.withLockedValue { counts in
            if counts.open >= limits.connectionMax {
                counts.refused += 1
                return "connection refused: node connection limit (\(limits.connectionMax)) is reached"
            }
            if let max = limits.vhostMaxConnections[vhost], counts.openByVhost[vhost, default: 0] >= max {
                counts.refused += 1
                return "access to vhost '\(vhost)' refused for user '\(user)': connection limit (\(max)) is reached"
            }
            counts.open += 1
            counts.openByVhost[vhost, default: 0] += 1
            return nil
        }
        return refusal.map { AMQPError(.notAllowed, $0, classID: 10, methodID: 40) }
    }

    /// Gives back the slot of an admitted connection that closed.
    func release(vhost: String) {
        counts.withLockedValue { counts in
            counts.open -= 1
            let left = counts.openByVhost[vhost, default: 1] - 1
            counts.openByVhost[vhost] = left > 0 ? left : nil
        }
    }

    func countHandshakeTimeout() {
        counts.withLockedValue { $0.handshakeTimeouts += 1 }
    }
}
