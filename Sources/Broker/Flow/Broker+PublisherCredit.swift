/// Publisher credit: a connection that publishes to a queue behind consumers that drain it fast is
/// not read (its outlet is told to hold) until the queue has drained to its low watermark, its
/// consumers stopped draining fast, lost its consumers or gone. See `BacklogPressure` and
/// Docs/architecture.md.
extension Broker {
    /// After a queue's dispatch at the end of a burst or on the timer: updates its pressure, holds
    /// the burst's publisher if it published to a queue that is behind, lets its publishers go once
    /// it is not. While it holds any, `scheduleTimer` brings the timer back (`recheckAt`).
    func applyPressure(to queue: Queue) {
        let published = queue.publishedInBurst
        queue.publishedInBurst = false
        guard queue.stream == nil else { return }  // a stream's readers each have their own position
        let ready = queue.messageCount
        let consuming = ready > queue.pressure.low && queue.consumers.contains { Self.appliesPressure($0.channel.session) }
        let change = queue.pressure.update(ready: ready, taken: queue.counts.delivered, hasConsumers: consuming, now: now)
        if change == .caughtUp { releasePublishers(of: queue) }
        if queue.pressure.isBehind, published, let publisher = burstPublisher { hold(publisher, by: queue) }
    }

    /// Whether a consumer's connection counts for publisher credit: a client's whose socket takes
    /// writes. One that stopped reading stalls only itself; warren's own consumers (the Redis
    /// bridge waiting for Redis, the live tail, which drops) never hold log intake back.
    private static func appliesPressure(_ session: Session) -> Bool {
        session.checked && session.credit.writable
    }

    /// Holds a connection's input back for a queue. A connection that consumes is never held: its
    /// input carries the acks that drain queues (held, it could wait for itself). Nor is warren's
    /// own (the syslog collector, the bridge): log intake is never stalled by a subscriber.
    private func hold(_ session: Session, by queue: Queue) {
        guard session.checked, sessions[session.id] === session, !session.consumes else { return }
        guard session.heldBy.updateValue(queue, forKey: ObjectIdentifier(queue)) == nil else { return }
        queue.heldPublishers.append(session)
        if session.heldBy.count == 1 { session.outlet.holdPublishing(true) }
    }

    /// Lets every connection the queue held go; each resumes once no other queue holds it.
    func releasePublishers(of queue: Queue) {
        let held = queue.heldPublishers
        queue.heldPublishers.removeAll()
        for session in held {
            session.heldBy[ObjectIdentifier(queue)] = nil
            if session.heldBy.isEmpty, sessions[session.id] === session { session.outlet.holdPublishing(false) }
        }
    }

    /// A connection is gone: the queues holding it forget it.
    func forgetHolds(of session: Session) {
        for queue in session.heldBy.values {
            queue.heldPublishers.removeAll { $0 === session }
        }
        session.heldBy.removeAll()
    }
}
