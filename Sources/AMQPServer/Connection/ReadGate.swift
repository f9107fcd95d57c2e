/// Why a connection's socket is not being read, and when reading must stop or resume. Four causes
/// hold it independently: a resource alarm (a publisher is held back by TCP); a socket that does
/// not take writes (a client that does not read what it is sent gets nothing more of its own input
/// handled, so its returns, confirms and replies cannot pile up either, as RabbitMQ's reader blocks
/// on its writer); input read too far ahead of the broker (the broker's loop is behind); and
/// publisher credit withheld by a queue that is behind its consumers (`BacklogPressure`).
struct ReadGate {
    enum Cause: CaseIterable {
        case resourceAlarm, outputStalled, brokerBehind, queuesBehind
    }

    enum Change: Equatable {
        case stopReading, resumeReading
    }

    private var holding: Set<Cause> = []

    var isReading: Bool { holding.isEmpty }

    /// Holds or releases one cause; the change to make to the socket, if any.
    mutating func set(_ cause: Cause, holding isHolding: Bool) -> Change? {
        let wasReading = isReading
        if isHolding { holding.insert(cause) } else { holding.remove(cause) }
        switch (wasReading, isReading) {
        case (true, false): return .stopReading
        case (false, true): return .resumeReading
        default: return nil
        }
    }
}
