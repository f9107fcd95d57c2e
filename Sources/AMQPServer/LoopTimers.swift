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
        let wakeBroker = NIOLoopBound(self, eventLoop: eventLoop)
        scheduled = eventLoop.scheduleTask(in: .milliseconds(Self.delay(until: deadline, from: broker.clock()))) {
            let timers = wakeBroker.value
            timers.scheduled = nil
            timers.broker?.runTimers()
        }
    }

    /// The longest single wait: a later deadline is reached by waking once a day and re-arming,
    /// so no deadline, however far, overflows a `TimeAmount`.
    static let longestDelay: Int64 = 86_400_000

    /// Milliseconds from `now` until `deadline`, clamped to 0 … `longestDelay`, never trapping.
    static func delay(until deadline: Int64, from now: Int64) -> Int64 {
        let (remaining, overflow) = deadline.subtractingReportingOverflow(now)
        if overflow { return deadline > now ? longestDelay : 0 }
        return min(max(0, remaining), longestDelay)
    }
}
