import Broker
import NIOCore

/// Finds persistent messages by id in one segment of the message log, for paged messages whose
/// page record cannot be read back (a rare error path, run on the paging thread). The segment is
/// read whole, as recovery reads it (about `MessageStore.segmentLimit` bytes), and its records
/// up to the first torn or damaged one, or until every id wanted is found.
enum StoredMessageScan {
    /// The publish records of `ids` in the segment at `path`, each copied out of the segment's bytes.
    static func messages(_ ids: Set<UInt64>, inSegmentAt path: String) throws -> [UInt64: StoredMessage] {
        var segment = try Recovery.readWholeFile(path)
        var found: [UInt64: StoredMessage] = [:]
        while found.count < ids.count, case .record(let outer) = StoreRecord.read(from: &segment) {
            let records: [StoreRecord] = if case .group(let grouped) = outer { grouped } else { [outer] }
            for case .publish(let id, _, _, let exchange, let routingKey, let properties, let body, _) in records where ids.contains(id) {
                found[id] = StoredMessage(exchange: exchange, routingKey: routingKey, properties: ByteBuffer(copyOf: properties),
                                          body: ByteBuffer(copyOf: body))
            }
        }
        return found
    }
}
