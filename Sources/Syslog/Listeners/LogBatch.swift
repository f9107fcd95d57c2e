import AMQPServer
import Broker

/// Entries collected during one read burst, published to the log exchange in one hop.
struct LogBatch {
    private let runtime: BrokerRuntime
    private let exchange: String
    private let vhost: String
    private var messages: [InternalPublish] = []

    init(runtime: BrokerRuntime, configuration: SyslogListenerConfiguration) {
        self.runtime = runtime
        self.exchange = configuration.exchange
        self.vhost = configuration.vhost
    }

    mutating func append(_ message: InternalPublish) {
        messages.append(message)
    }

    /// Hands everything collected to the broker's loop.
    mutating func publish() {
        guard !messages.isEmpty else { return }
        let batch = messages
        messages.removeAll(keepingCapacity: true)
        let exchange = self.exchange
        let vhost = self.vhost
        runtime.withBroker { $0.publishInternal(batch, exchange: exchange, vhost: vhost) }
    }
}
