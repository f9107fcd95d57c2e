import AMQPWire
import DequeModule
import NIOCore

/// What the client tracks for one channel, on the connection's event loop.
final class ClientChannelState {
    /// Synchronous calls awaiting their reply, in the order they were sent.
    var pendingCalls = Deque<EventLoopPromise<Reply>>()
    /// Consumers by tag; called on the event loop.
    var consumers: [String: (Delivery) -> Void] = [:]
    /// Called when the server cancels a consumer (basic.cancel), by tag; on the event loop.
    var onCancel: [String: () -> Void] = [:]
    /// Publisher confirms: (delivery tag, multiple, ack) on the event loop.
    var onConfirm: ((UInt64, Bool, Bool) -> Void)?
    /// basic.return: the returned message, on the event loop.
    var onReturn: ((Delivery) -> Void)?
    /// A deliver, get-ok or return whose content is still arriving.
    var incoming: (method: AMQPMethod, header: ContentHeader?, body: ByteBuffer)?
}

/// The answer to a synchronous call: the reply method, and the message for basic.get-ok.
struct Reply: Sendable {
    var method: AMQPMethod
    var delivery: Delivery?
}
