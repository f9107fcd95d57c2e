import Broker
import NIOCore

/// Wakes the broker on its own event loop when its earliest message or queue expiry is due.
/// Lives on the broker's loop; one scheduled task at a time.
final class LoopTimers: BrokerTimers {
    private let eventLoop: any EventLoop
    private weak var broker: Broker?
    private var scheduled: Scheduled<Void>?

    init(eventLoop: any EventLoop, broker: Broker) {
        self.eventLoop = eventLoop
        self.broker = broker
    }

    func wake(at deadline: Int64) {
        scheduled?.cancel()
        guard let broker else { return }
        let delay = max(0, deadline - broker.clock())
        let wakeBroker = NIOLoopBound(self, eventLoop: eventLoop)
        scheduled = eventLoop.scheduleTask(in: .milliseconds(delay)) {
            let timers = wakeBroker.value
            timers.scheduled = nil
            timers.broker?.runTimers()
        }
    }
}
