#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whoever owns the broker's event loop and wakes it for timed work: message expiry and queue
/// expiry (`x-message-ttl`, `expiration`, `x-expires`), and the re-evaluation of publisher holds.
public protocol BrokerTimers: AnyObject {
    /// Asks for `Broker.runTimers()` to be called on the broker's loop at this broker-clock time
    /// (milliseconds). A later call with an earlier deadline replaces the earlier request.
    func wake(at deadline: Int64)
}

/// Wall-clock time in milliseconds since the Unix epoch.
public enum WallClock {
    @Sendable public static func milliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

extension Broker {
    /// Expires what is due in the queues whose deadline passed, deletes unused queues whose
    /// x-expires passed and re-evaluates due publisher holds; the other queues are not looked at.
    public func runTimers() {
        now = clock()
        armedDeadline = .max
        for queue in timerSchedule.takeDue(at: now) where !queue.isDeleted {
            if let deadline = expiryDeadline(of: queue), deadline <= now, let vhost = vhosts[queue.vhost] {
                deleteQueue(queue, in: vhost)
                continue
            }
            scheduleDispatch(queue)  // expires its head and schedules its next deadline
        }
        finishBurst()
    }

    /// Registers a queue whose messages or whose own existence can expire; its deadline is
    /// scheduled at the end of the burst.
    func watchTimers(of queue: Queue) {
        if queue.features?.isTimed != true { queue.holdsExpiringMessages = true }
        timedQueues[ObjectIdentifier(queue)] = queue
        scheduleDispatch(queue)
    }

    /// Schedules the timer for a queue's next deadline, if it has one: its own (TTL, x-expires) or
    /// the re-evaluation of the publishers it holds. (A queue without TTLs whose hold ended keeps
    /// its entry: the timer then looks at it once for nothing.)
    func scheduleTimer(of queue: Queue) {
        let recheck = queue.pressure.recheckAt
        guard timedQueues[ObjectIdentifier(queue)] != nil else {
            if let recheck { timerSchedule.schedule(queue, at: recheck) }
            return
        }
        timerSchedule.schedule(queue, at: [nextDeadline(of: queue), recheck].compactMap { $0 }.min())
    }

    /// Asks the timer owner for the earliest scheduled deadline, if it is new.
    func armTimer() {
        guard let earliest = timerSchedule.earliest, earliest < armedDeadline, let timers else { return }
        armedDeadline = earliest
        timers.wake(at: earliest)
    }

    /// When a timed queue next needs the timer: its head message expires, or (unused) it is deleted.
    func nextDeadline(of queue: Queue) -> Int64? {
        switch (queue.headExpiry, expiryDeadline(of: queue)) {
        case (let head?, let expiry?): Swift.min(head, expiry)
        case (let head?, nil): head
        case (nil, let expiry?): expiry
        case (nil, nil): nil
        }
    }

    /// When an unused queue with x-expires is to be deleted; nil while it has consumers.
    private func expiryDeadline(of queue: Queue) -> Int64? {
        guard let expires = queue.features?.expires, queue.consumerCount == 0 else { return nil }
        let (deadline, overflow) = queue.lastUsed.addingReportingOverflow(expires)
        return overflow ? .max : deadline
    }
}
