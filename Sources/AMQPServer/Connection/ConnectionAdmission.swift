import AMQPWire
import NIOConcurrencyHelpers

/// The node's AMQP connections. `connection_max` counts sockets, handshaking or open, as RabbitMQ's
/// (its listener's accept limit): one more is closed as soon as it is accepted, so a flood of idle
/// sockets cannot take every file descriptor. A vhost's `max-connections` counts open connections:
/// one more is refused at connection.open with RabbitMQ's 530 text. Also counts the connections
/// dropped for `handshake_timeout`, for `/metrics`.
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

    /// Sockets and connections open now, and refusals and handshake timeouts so far.
    public struct Counts: Sendable, Equatable {
        /// Accepted sockets, handshaking or open.
        public var sockets = 0
        /// Connections past connection.open-ok.
        public var open = 0
        public var openByVhost: [String: Int] = [:]
        /// Sockets closed at accept for `connection_max`.
        public var refusedSockets = 0
        /// connection.open refused for a vhost's `max-connections`.
        public var refusedByVhost = 0
        public var handshakeTimeouts = 0
    }

    public let limits: Limits
    private let counts = NIOLockedValueBox(Counts())

    public init(limits: Limits) {
        self.limits = limits
    }

    public var current: Counts { counts.withLockedValue { $0 } }

    /// Takes a socket slot for a connection just accepted; false (counted) past `connection_max`.
    func accept() -> Bool {
        counts.withLockedValue { counts in
            guard counts.sockets < limits.connectionMax else {
                counts.refusedSockets += 1
                return false
            }
            counts.sockets += 1
            return true
        }
    }

    /// Gives back the socket slot of an accepted connection that closed.
    func socketClosed() {
        counts.withLockedValue { $0.sockets -= 1 }
    }

    /// Takes a slot for a connection opening `vhost`, or says why not.
    func admit(vhost: String, user: String) -> AMQPError? {
        let refused: Int? = counts.withLockedValue { counts in
            if let max = limits.vhostMaxConnections[vhost], counts.openByVhost[vhost, default: 0] >= max {
                counts.refusedByVhost += 1
                return max
            }
            counts.open += 1
            counts.openByVhost[vhost, default: 0] += 1
            return nil
        }
        return refused.map { max in
            AMQPError(.notAllowed, "access to vhost '\(vhost)' refused for user '\(user)': connection limit (\(max)) is reached",
                      classID: 10, methodID: 40)
        }
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
