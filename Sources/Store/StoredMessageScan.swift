import Broker
import NIOCore

/// Finds persistent messages by id in one segment of the message log, for paged messages whose
/// page record cannot be read back (a rare error path, run on the paging thread). The segment is
/// read whole, as recovery reads it (about `MessageStore.segmentLimit` bytes), and its records
/// up to the first torn or damaged one.
enum StoredMessageScan {
    /// The publish records of `ids` in the segment at `path`, each copied out of the segment's bytes.
    static func messages(_ ids: Set<UInt64>, inSegmentAt path: String) throws -> [UInt64: StoredMessage] {
        var found: [UInt64: StoredMessage] = [:]
        _ = try MessageSegmentReader(path: path).forEachRecord { record, _ in
            guard case .publish(let id, _, _, let exchange, let routingKey, let properties, let body, _) = record,
                  ids.contains(id) else { return }
            found[id] = StoredMessage(exchange: exchange, routingKey: routingKey, copying: properties, body)
        }
        return found
    }
}
