import AMQPServer
import Broker
import Foundation
import NIOCore

/// Entries collected during one read burst, published to the log exchange in one hop, and their
/// counts added to the listener's counters at the same moment.
struct LogBatch {
    private let runtime: BrokerRuntime
    private let exchange: String
    private let vhost: String
    private let counters: SyslogCounters
    private let encoder: LogMessageEncoder
    private var messages: [InternalPublish] = []
    private var tally = SyslogTally()

    init(runtime: BrokerRuntime, configuration: SyslogListenerConfiguration, counters: SyslogCounters) {
        self.runtime = runtime
        self.exchange = configuration.exchange
        self.vhost = configuration.vhost
        self.counters = counters
        self.encoder = LogMessageEncoder(format: configuration.bodyFormat)
    }

    /// Encodes and keeps an entry for the next publish.
    mutating func append(_ entry: LogEntry, frame: ByteBuffer, peer: String, receivedAt: Date) {
        tally.count(entry)
        messages.append(encoder.encode(entry, frame: frame, peer: peer, receivedAt: receivedAt))
    }

    /// Counts a frame that will not be published.
    mutating func drop() {
        tally.dropped += 1
    }

    /// Hands everything collected to the broker's loop; `whenHandled` runs there once the broker
    /// has routed it. False when there was nothing to publish (`whenHandled` is not called).
    @discardableResult
    mutating func publish(whenHandled: (@Sendable () -> Void)? = nil) -> Bool {
        tally.published = messages.count
        counters.add(tally)
        tally.reset()
        guard !messages.isEmpty else { return false }
        let batch = messages
        messages.removeAll(keepingCapacity: true)
        let exchange = self.exchange
        let vhost = self.vhost
        runtime.withBroker { broker in
            broker.publishInternal(batch, exchange: exchange, vhost: vhost)
            whenHandled?()
        }
        return true
    }
}
