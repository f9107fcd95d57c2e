import Broker
import Foundation
import Logging
import NIOCore

/// The broker's persistence over the data directory: messages into the log, definitions into
/// `definitions.json`. Lives on the broker's event loop.
public final class StorePersistence: BrokerPersistence {
    private let store: Store
    private let messages: MessageStore
    private let logger: Logger
    private var lastDefinitions: Definitions?

    public init(store: Store, messages: MessageStore, logger: Logger) {
        self.store = store
        self.messages = messages
        self.logger = logger
    }

    /// Opens the data directory's state into a broker: definitions, then every recovered message
    /// in order. Call on the broker's event loop before clients connect.
    public static func restore(into broker: Broker, store: Store, recovered: RecoveredMessages,
                               brokerLoop: any EventLoop, logger: Logger) throws -> StorePersistence {
        let messageStore = store.messageStore(recovered: recovered, brokerLoop: brokerLoop) { error in
            logger.critical("store write failed, confirms stopped: \(error)")
        }
        let persistence = StorePersistence(store: store, messages: messageStore, logger: logger)
        if let data = try store.definitions.read() {
            do {
                let definitions = try JSONDecoder().decode(Definitions.self, from: data)
                broker.restore(definitions)
                persistence.lastDefinitions = definitions
            } catch {
                throw StoreError.invalidDefinitions("\(store.definitions.path): \(error)")
            }
        }
        var restored = 0
        for (vhost, queues) in recovered.queues {
            for (queue, entries) in queues {
                for (message, redelivered) in entries {
                    let kept = broker.restoreMessage(vhost: vhost, queue: queue, storeID: message.id, exchange: message.exchange,
                                                     routingKey: message.routingKey, properties: message.properties,
                                                     body: message.body, redelivered: redelivered)
                    if kept { restored += 1 } else { messageStore.removed(id: message.id, queue: queue) }
                }
            }
        }
        logger.info("store: \(restored) persistent message(s) recovered, \(recovered.corruptRecords) corrupt record(s) skipped")
        broker.persistence = persistence
        return persistence
    }

    public func allocateMessageID() -> UInt64 { messages.allocateID() }

    public func stored(id: UInt64, vhost: String, queues: [String], exchange: String, routingKey: String,
                       properties: ByteBuffer, body: ByteBuffer) {
        messages.stored(.publish(id: id, vhost: vhost, queues: queues, exchange: exchange, routingKey: routingKey,
                                 properties: properties, body: body))
    }

    public func delivered(id: UInt64, queue: String) { messages.delivered(id: id, queue: queue) }
    public func removed(id: UInt64, queue: String) { messages.removed(id: id, queue: queue) }
    public func whenDurable(_ callback: @escaping () -> Void) { messages.whenDurable(callback) }
    public func commit() { messages.commit() }

    /// Writes everything recorded so far (and any definitions queued before it) to disk.
    public func flush() -> EventLoopFuture<Void> { messages.flush() }
    public func beginGroup() { messages.beginGroup() }
    public func endGroup() { messages.endGroup() }

    public func definitionsChanged(_ definitions: Definitions) {
        guard definitions != lastDefinitions else { return }
        lastDefinitions = definitions
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(definitions) else { return }
        let logger = self.logger
        store.saveDefinitions(data) { error in logger.error("store: cannot write definitions: \(error)") }
    }
}
