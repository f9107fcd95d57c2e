import Foundation
import Broker

/// An outlet that keeps every batch the broker hands it, for tests to inspect.
///
/// `@unchecked Sendable`: the broker calls `deliver` from whichever thread drives it, and the
/// test reads from its own; every access to `batches` goes through `lock`, which is what makes
/// sharing it safe. (Test helper only; production outlets hop to an event loop instead.)
final class RecordingOutlet: BrokerOutlet, @unchecked Sendable {
    private let lock = NSLock()
    private var batches: [[Outbound]] = []
    private var holds: [Bool] = []

    func deliver(_ batch: [Outbound]) {
        lock.lock()
        defer { lock.unlock() }
        batches.append(batch)
    }

    func holdPublishing(_ held: Bool) {
        lock.lock()
        defer { lock.unlock() }
        holds.append(held)
    }

    /// Removes and returns the publisher-credit signals (true: hold, false: release) received so far.
    func takeHolds() -> [Bool] {
        lock.lock()
        defer { lock.unlock() }
        let taken = holds
        holds.removeAll()
        return taken
    }

    /// How many batches arrived since the last `take`/`takeBatches`.
    var batchCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return batches.count
    }

    /// Removes and returns the batches received so far.
    func takeBatches() -> [[Outbound]] {
        lock.lock()
        defer { lock.unlock() }
        let taken = batches
        batches.removeAll()
        return taken
    }

    /// Removes and returns every item received so far, batches concatenated in order.
    func take() -> [Outbound] {
        takeBatches().flatMap { $0 }
    }
}
