import AMQPWire
import NIOCore

/// What makes a queue a stream: its log on disk. Publishing appends; each consumer reads the
/// log from its own position (`StreamSubscription`), pulled by its credit (prefetch and the
/// connection's outbound window), so a consumer that stops acknowledging or reading costs
/// nothing but its position.
final class StreamQueue {
    let log: any StreamLogAccess

    init(log: any StreamLogAccess) {
        self.log = log
    }

    /// Entries one consumer reads in one dispatch pass; a consumer whose filters skip more goes on
    /// at the broker's next timer turn, so other clients are served in between.
    static let entriesPerPass = 4_096
    /// Set when a pass stopped a consumer at `entriesPerPass`.
    private var scanCutShort = false

    /// When the broker's timer must dispatch the stream again: at once after a pass was cut short,
    /// else when its oldest segment passes `x-max-age`; nil when nothing is due.
    var nextWake: Int64? {
        scanCutShort ? 0 : log.retentionDeadline
    }

    static let filterValueHeader = "x-stream-filter-value"
    static let offsetHeader = "x-stream-offset"

    /// Appends a routed message (a filter value longer than 255 bytes is cut there, a short string
    /// in the segment); false when it could not be written (the publish is refused).
    func append(_ message: Message, now: Int64) -> Bool {
        log.applyRetention(now: now)
        let filterValue = Self.hasHeaders(message) ? message.properties.headers?[Self.filterValueHeader]?.stringValue ?? "" : ""
        let entry = StreamEntry(timestamp: now, exchange: message.exchange, routingKey: message.routingKey,
                                filterValue: filterValue,
                                properties: message.header.propertyBytes, body: message.body)
        do {
            _ = try log.append(entry)
            return true
        } catch {
            return false
        }
    }

    /// Whether the property flags announce headers (bit 13), read without decoding the properties.
    private static func hasHeaders(_ message: Message) -> Bool {
        let bytes = message.header.propertyBytes
        return bytes.getInteger(at: bytes.readerIndex, as: UInt16.self).map { $0 & 0x2000 != 0 } ?? false
    }

    /// Hands each consumer the entries its filter admits while it has room. A consumer with an end
    /// time (`x-warren-until`) is cancelled (basic.cancel) at the first entry stamped at or after
    /// it, or once it has read everything written when the end time has come.
    func dispatch(_ queue: Queue, now: Int64) {
        log.applyRetention(now: now)
        scanCutShort = false
        for consumer in queue.consumers {
            guard let subscription = consumer.stream else { continue }
            var read = 0
            while consumer.hasRoom {
                read += 1
                if read > Self.entriesPerPass {
                    scanCutShort = true
                    break
                }
                guard let entry = subscription.reader.next() else {
                    if let until = subscription.until, until <= now, log.committedOffset == log.writtenOffset { end(consumer, of: queue) }
                    break
                }
                if let until = subscription.until, entry.timestamp >= until {
                    end(consumer, of: queue)
                    break
                }
                guard subscription.filter.admits(entry) else { continue }
                consumer.deliver(QueuedMessage(message: Self.message(for: entry), sequence: entry.offset, redelivered: false), from: queue)
            }
        }
    }

    /// Cancels a consumer that reached its end time, telling its client (consumer_cancel_notify).
    private func end(_ consumer: Consumer, of queue: Queue) {
        queue.remove(consumer)
        let channel = consumer.channel
        channel.consumers[consumer.tag] = nil
        channel.session.send(.method(channel.number, .basicCancel(BasicCancel(consumerTag: consumer.tag, noWait: true))))
    }

    /// The message a consumer receives for an entry: as published, with the entry's offset in the
    /// `x-stream-offset` header (a long, as RabbitMQ sends it). Property bytes that do not decode
    /// are sent as they were stored.
    static func message(for entry: StreamEntry) -> Message {
        var header = ContentHeader(bodySize: UInt64(entry.body.readableBytes), propertyBytes: entry.properties)
        if var properties = try? header.properties() {
            var headers = properties.headers ?? FieldTable()
            headers[offsetHeader] = .int64(Int64(clamping: entry.offset))
            properties.headers = headers
            header = ContentHeader(bodySize: header.bodySize, properties: properties)
        }
        return Message(exchange: entry.exchange, routingKey: entry.routingKey, header: header, body: entry.body)
    }
}

/// A consumer's place in a stream and what it wants of it.
final class StreamSubscription {
    let reader: any StreamReading
    let filter: StreamFilter
    /// `x-warren-until`: the consumer ends after the entries stamped before this time (ms since 1970).
    let until: Int64?

    init(reader: any StreamReading, filter: StreamFilter, until: Int64? = nil) {
        self.reader = reader
        self.filter = filter
        self.until = until
    }
}
