/// What clients may create in the broker, under RabbitMQ's configuration names where it has them.
public struct BrokerLimits: Sendable, Equatable {
    /// `consumer_max_per_channel`: one more basic.consume closes the connection with 530, as RabbitMQ.
    public var consumersPerChannel: Int
    /// The vhosts' `max-queues` limit (absent: unlimited): one more queue.declare closes the channel with 406.
    public var vhostMaxQueues: [String: Int]
    /// Publishes, acks and rejects one transaction may hold before tx.commit (RabbitMQ has no such
    /// limit): one more closes the channel with 406.
    public var transactionSteps: Int
    /// Body bytes one transaction may hold before tx.commit: its publishes are logged as one record,
    /// whose length the store writes in 32 bits. One more publish closes the channel with 406.
    public var transactionBodyBytes: Int

    /// warren's defaults: RabbitMQ's are unlimited; these are far above what a real client uses.
    public static let defaults = BrokerLimits(consumersPerChannel: 65_536, vhostMaxQueues: [:], transactionSteps: 65_536)

    public init(consumersPerChannel: Int, vhostMaxQueues: [String: Int], transactionSteps: Int,
                transactionBodyBytes: Int = 1 << 30) {
        self.consumersPerChannel = consumersPerChannel
        self.vhostMaxQueues = vhostMaxQueues
        self.transactionSteps = transactionSteps
        self.transactionBodyBytes = transactionBodyBytes
    }
}
