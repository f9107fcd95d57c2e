import Broker
import Foundation
import Logging
import NIOCore

/// The broker's persistence over the data directory: messages into the log, definitions into
/// `definitions.json` (written with the log's batches, so both share one durability callback).
/// Lives on the broker's event loop.
public final class StorePersistence: BrokerPersistence {
    private let messages: MessageStore
    /// The stream queues' logs, fsync'd with the message log's writes.
    let streams: StreamDirectory
    /// The definitions on disk, and the last ones handed to the store (on disk once written).
    public private(set) var savedDefinitions: Definitions
    private var queuedDefinitions: Definitions
    /// What the first pass of recovery found, until `restoreMessages` reads the messages back.
    private var recovered: RecoveredMessages?

    init(messages: MessageStore, streams: StreamDirectory, saved: Definitions, recovered: RecoveredMessages?) {
        self.messages = messages
        self.streams = streams
        self.savedDefinitions = saved
        self.queuedDefinitions = saved
        self.recovered = recovered
    }

    /// Opens the data directory's state into a broker: its definitions, and the message log for
    /// what the broker persists from now on. The recovered messages come back with
    /// `restoreMessages`, once paging is configured. Call on the broker's event loop before clients connect.
    public static func open(into broker: Broker, store: Store, brokerLoop: any EventLoop, logger: Logger) throws -> StorePersistence {
        var recovered = store.takeRecovered() ?? RecoveredMessages(directory: store.directory + "/messages")
        let messageStore = store.messageStore(recovered: recovered, brokerLoop: brokerLoop) { failure in
            if let failure {
                logger.critical("store: writes failing, persistent publishes nacked and durable declarations refused until they work again: \(failure)")
            } else {
                logger.warning("store: writes work again")
            }
        }
        // The message store has the index now: one copy of it, not two.
        recovered.index = MessageIndex()
        recovered.segmentReferences = [:]
        let streams = StreamDirectory(root: store.directory + "/streams", logger: logger)
        broker.streamStorage = streams
        var definitions = Definitions()
        if let data = try store.definitions.read() {
            definitions = try decode(data, path: store.definitions.path)
            for problem in broker.restore(definitions) { logger.error("definitions: \(problem)") }
            definitions.warrenFormat = nil
        }
        messageStore.definitionsOnDisk(try encode(definitions))
        let persistence = StorePersistence(messages: messageStore, streams: streams, saved: definitions, recovered: recovered)
        broker.persistence = persistence
        return persistence
    }

    /// Puts every recovered persistent message back on the queues that hold it, in order, reading
    /// the message log a second time; a queue over its memory limit pages them as they come. A
    /// message whose queue is gone is removed from the log. Once only: the recovery state is let go.
    public func restoreMessages(into broker: Broker, logger: Logger) throws {
        guard let recovered else { return }
        self.recovered = nil
        var restored = 0
        try recovered.replay { message, vhost, queue, redelivered in
            let kept = broker.restoreMessage(vhost: vhost, queue: queue, storeID: message.id, exchange: message.exchange,
                                             routingKey: message.routingKey, publishedAt: message.publishedAt,
                                             properties: message.properties, body: message.body, redelivered: redelivered)
            if kept { restored += 1 } else { messages.removed(id: message.id, queue: queue) }
        }
        logger.info("store: \(restored) persistent message(s) recovered, \(recovered.discardedBytes) byte(s) of bad records discarded")
    }

    /// The definitions file in the current format: field tables typed, so nothing is lost.
    static func encode(_ definitions: Definitions) throws -> Data {
        var versioned = definitions
        versioned.warrenFormat = Definitions.currentFormat
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.userInfo[JSONFieldTable.typed] = true
        return try encoder.encode(versioned)
    }

    /// A definitions file of any format up to the current one.
    static func decode(_ data: Data, path: String) throws -> Definitions {
        let definitions: Definitions
        do {
            definitions = try JSONDecoder().decode(Definitions.self, from: data)
        } catch {
            throw StoreError.invalidDefinitions("\(path): \(error)")
        }
        if let format = definitions.warrenFormat, format > Definitions.currentFormat {
            throw StoreError.invalidDefinitions("\(path) has format \(format), written by a newer warren (this one reads up to \(Definitions.currentFormat))")
        }
        return definitions
    }

    public var failure: String? { messages.failure?.description }

    public func allocateMessageID() -> UInt64 { messages.allocateID() }

    public func stored(id: UInt64, vhost: String, queues: [String], exchange: String, routingKey: String,
                       publishedAt: Int64, properties: ByteBuffer, body: ByteBuffer) {
        messages.stored(.publish(id: id, vhost: vhost, queues: queues, exchange: exchange, routingKey: routingKey,
                                 properties: properties, body: body, publishedAt: publishedAt))
    }

    /// The message log's segment file holding a stored message (`MessageStore.segmentPath`).
    public func segmentPath(of id: UInt64) -> String? { messages.segmentPath(of: id) }

    public func delivered(id: UInt64, queue: String) { messages.delivered(id: id, queue: queue) }
    public func removed(id: UInt64, queue: String) { messages.removed(id: id, queue: queue) }
    public func whenDurable(_ callback: @escaping (DiskOutcome) -> Void) { messages.whenDurable(callback) }
    /// Starts the next write: the message log's records, and the fsync of every stream written since
    /// the last one, after which those streams' new entries become readable.
    public func commit() {
        for (log, descriptors, through) in streams.takeSyncs() {
            messages.syncWithNextWrite(descriptors)
            messages.whenDurable { outcome in
                if case .written = outcome { log.committed(through: through) } else { log.syncFailed() }
            }
        }
        messages.commit()
    }

    /// Writes everything recorded so far (and any definitions queued before it) to disk.
    public func flush() -> EventLoopFuture<Void> { messages.flush() }
    public func beginGroup() { messages.beginGroup() }
    public func endGroup() { messages.endGroup() }

    public func definitionsChanged(_ definitions: Definitions) -> DefinitionsSave {
        if definitions != queuedDefinitions {
            let data: Data
            do {
                data = try Self.encode(definitions)
            } catch {
                return .refused("cannot encode definitions: \(error)")
            }
            messages.saveDefinitions(data)
            queuedDefinitions = definitions
            messages.whenDurable { [weak self] outcome in
                guard let self else { return }
                switch outcome {
                case .written: savedDefinitions = definitions
                case .failed: queuedDefinitions = savedDefinitions
                }
            }
        }
        return definitions == savedDefinitions ? .onDisk : .saving
    }
}
