import Broker

/// A connection to the broker from inside the process (the Redis bridge): commands go to the
/// broker's loop as a real connection's do, and what the broker sends back arrives as one array
/// per broker burst on `outbound`. No socket, no authentication: the caller is warren itself.
public final class InProcessConnection: BrokerOutlet, Sendable {
    /// What the broker sent this connection, one array per burst.
    public let outbound: AsyncStream<[Outbound]>
    private let continuation: AsyncStream<[Outbound]>.Continuation
    private let runtime: BrokerRuntime
    private let id: ConnectionID

    /// Opens the connection on `vhost` as `user` (the name shown as the connection's user).
    public init(runtime: BrokerRuntime, vhost: String = "/", user: String) {
        (outbound, continuation) = AsyncStream.makeStream()
        self.runtime = runtime
        id = runtime.makeConnectionID()
        runtime.connect(id, vhost: vhost, user: user, outlet: self)
    }

    /// Hands the broker a batch of commands, carried out in order in one burst.
    public func send(_ commands: [BrokerCommand]) {
        runtime.submit(commands, from: id)
    }

    /// Disconnects: unacknowledged deliveries are requeued, as for a closed socket.
    public func close() {
        runtime.disconnect(id)
        continuation.finish()
    }

    public func deliver(_ batch: [Outbound]) {
        continuation.yield(batch)
    }
}
