import NIOCore

/// How many of a syslog socket's read bursts wait for the broker's loop. A handler stops reading
/// while `isFull` and reads again when `routedOne` makes room, so intake faster than the broker
/// waits in the sender's or the kernel's buffers instead of queueing work on the broker's loop
/// without bound, where it would also hold up consumers' deliveries and acks.
struct BrokerHandOff {
    /// Read bursts that may wait for the broker at once (two: one routed while the next is read).
    static let limit = 2
    private var waiting = 0

    var isFull: Bool { waiting >= Self.limit }

    /// Publishes what `batch` collected; `routed` runs on `loop` once the broker has routed it.
    mutating func publish(_ batch: inout LogBatch, loop: any EventLoop, routed: @escaping @Sendable () -> Void) {
        if batch.publish(whenHandled: { loop.execute(routed) }) { waiting += 1 }
    }

    /// One burst was routed (called from `publish`'s `routed`).
    mutating func routedOne() {
        waiting = max(0, waiting - 1)
    }
}

extension Channel {
    /// Stops reading the socket until `resumeReading`.
    func stopReading() {
        setOption(.autoRead, value: false).whenFailure { _ in }
    }
}

extension ChannelHandlerContext {
    /// Reads the socket again after `stopReading`.
    func resumeReading() {
        channel.setOption(.autoRead, value: true).whenFailure { _ in }
        read()
    }
}
