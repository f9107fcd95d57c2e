import Broker

/// A connection to the broker from inside the process (the Redis bridge, the live tail): commands
/// go to the broker's loop as a real connection's do, and what the broker sends back arrives as
/// one array per broker burst on `outbound`. No socket, no authentication: the caller is warren itself.
/// Taking a batch from `outbound` returns its delivery credit, so a reader that stops taking stops
/// the broker's deliveries after one window (`BrokerRuntime.outboundWindow`), as a stalled socket does.
public final class InProcessConnection: BrokerOutlet, Sendable {
    /// What the broker sent this connection, one array per burst.
    public let outbound: Batches
    private let continuation: AsyncStream<[Outbound]>.Continuation
    private let runtime: BrokerRuntime
    private let id: ConnectionID

    /// Opens the connection on `vhost` as `user` (the name shown as the connection's user).
    public init(runtime: BrokerRuntime, vhost: String = "/", user: String) {
        let (stream, continuation) = AsyncStream<[Outbound]>.makeStream()
        self.continuation = continuation
        self.runtime = runtime
        id = runtime.makeConnectionID()
        outbound = Batches(stream: stream, runtime: runtime, id: id)
        runtime.connect(id, vhost: vhost, user: user, checked: false, outlet: self)
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

    /// Never called: the broker holds no connection of warren's own (log intake is never stalled).
    public func holdPublishing(_ held: Bool) {}

    /// The broker's batches for this connection; each one taken returns its credit to the broker.
    public struct Batches: AsyncSequence, Sendable {
        public typealias Element = [Outbound]
        fileprivate let stream: AsyncStream<[Outbound]>
        fileprivate let runtime: BrokerRuntime
        fileprivate let id: ConnectionID

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: stream.makeAsyncIterator(), runtime: runtime, id: id)
        }

        /// Takes the next batch and returns its credit.
        public struct AsyncIterator: AsyncIteratorProtocol {
            fileprivate var base: AsyncStream<[Outbound]>.AsyncIterator
            fileprivate let runtime: BrokerRuntime
            fileprivate let id: ConnectionID

            public mutating func next() async -> [Outbound]? {
                guard let batch = await base.next() else { return nil }
                let bytes = batch.reduce(0) { $0 + $1.creditBytes }
                if bytes > 0 { runtime.submit([.outboundWritten(bytes)], from: id) }
                return batch
            }
        }
    }
}
