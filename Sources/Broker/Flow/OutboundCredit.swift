/// How much more a connection may be handed: content bytes the broker sent it that its handler has
/// not yet reported written to the socket, against a window, and whether the socket takes writes.
///
/// The broker charges every content item (deliveries, get-ok, returns) as it sends it and stops
/// dispatching to the connection's consumers once the window is used up or the socket is not
/// writable; the connection returns credit as it writes. A stalled reader therefore holds at most
/// one window (plus one message) in flight, and its queue's messages stay ready in the queue.
/// Publisher credit, the other way round, is granted by queues as they drain (`BacklogPressure`).
public struct OutboundCredit: Sendable, Equatable {
    /// 1 MiB: a few hundred deliveries of a typical log entry, enough to keep a fast consumer busy
    /// across the hop from the broker's loop to the connection's and back.
    public static let defaultWindow = 1 << 20
    /// Bytes that may be in flight to the connection before its consumers are skipped.
    public let window: Int
    /// Content bytes sent and not yet reported written.
    public private(set) var unwritten = 0
    /// Whether the connection's socket takes writes (NIO writability).
    public private(set) var writable = true

    public init(window: Int) {
        self.window = max(1, window)
    }

    /// Whether consumers on the connection may be handed another message.
    public var hasRoom: Bool { writable && unwritten < window }

    /// Charges bytes handed to the connection.
    public mutating func sent(_ bytes: Int) {
        unwritten = unwritten.addingReportingOverflow(max(0, bytes)).overflow ? .max : unwritten + max(0, bytes)
    }

    /// Returns credit for bytes the connection wrote; true when this gave the connection room again.
    public mutating func written(_ bytes: Int) -> Bool {
        let hadRoom = hasRoom
        unwritten -= min(unwritten, max(0, bytes))
        return hasRoom && !hadRoom
    }

    /// Records the socket's writability; true when this gave the connection room again.
    public mutating func setWritable(_ isWritable: Bool) -> Bool {
        let hadRoom = hasRoom
        writable = isWritable
        return hasRoom && !hadRoom
    }
}

extension Outbound {
    /// The bytes an item charges against a connection's outbound credit: the property and body
    /// bytes of content, nothing for a method. Sender and connection count with this one measure.
    public var creditBytes: Int {
        guard case .content(_, _, let header, let body) = self else { return 0 }
        return header.propertyBytes.readableBytes + body.readableBytes
    }
}
