import NIOCore

/// Sends heartbeats when the server has been quiet and notices a client that has gone silent
/// for two heartbeat intervals, as the spec and RabbitMQ do. Lives on the connection's event loop.
final class HeartbeatMonitor {
    enum Event {
        case sendHeartbeat
        case peerMissedHeartbeats
    }

    private let interval: TimeAmount
    private let checkEvery: TimeAmount
    private let eventLoop: any EventLoop
    private let onEvent: (Event) -> Void
    private var lastReceived = NIODeadline.now()
    private var lastSent = NIODeadline.now()
    private var scheduled: Scheduled<Void>?
    /// Set while the connection does not read its socket (the client's heartbeats cannot arrive):
    /// silence is not held against the client, and the count starts afresh when reading resumes.
    var isPaused = false {
        didSet { lastReceived = .now() }
    }

    init(interval: TimeAmount, eventLoop: any EventLoop, onEvent: @escaping (Event) -> Void) {
        self.interval = interval
        self.checkEvery = .nanoseconds(max(interval.nanoseconds / 2, TimeAmount.milliseconds(100).nanoseconds))
        self.eventLoop = eventLoop
        self.onEvent = onEvent
        scheduleCheck()
    }

    func received() { lastReceived = .now() }
    func sent() { lastSent = .now() }

    func stop() {
        scheduled?.cancel()
        scheduled = nil
    }

    private func scheduleCheck() {
        scheduled = eventLoop.assumeIsolated().scheduleTask(in: checkEvery) { [weak self] in
            self?.check()
        }
    }

    private func check() {
        let now = NIODeadline.now()
        if !isPaused, now - lastReceived > interval + interval {
            stop()
            onEvent(.peerMissedHeartbeats)
            return
        }
        if now - lastSent >= checkEvery {
            onEvent(.sendHeartbeat)
        }
        scheduleCheck()
    }
}
