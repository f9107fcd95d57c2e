/// Sends on a fixed schedule, never waiting for the server: message i is due at start + i/rate
/// and carries that due time, so time a stalled server or client costs shows up as latency
/// (no coordinated omission). Messages already due are sent together, at most `maxBatch` at a time.
struct OpenLoopSender {
    let rate: Int
    let seconds: Double
    var maxBatch = 1000

    var total: Int { max(1, Int((Double(rate) * seconds).rounded())) }

    /// Calls `send` with the due times of the messages to send now; returns the achieved send rate.
    func run(_ send: ([UInt64]) async throws -> Void) async throws -> Double {
        let interval = 1e9 / Double(rate)
        let start = MessageStamp.now() + 10_000_000
        func due(_ index: Int) -> UInt64 { start + UInt64(Double(index) * interval) }
        var sent = 0
        while sent < total {
            let now = MessageStamp.now()
            if now < due(sent) {
                try await Task.sleep(for: .nanoseconds(Int64(due(sent) - now)))
                continue
            }
            let elapsed = Double(now - start)
            let upTo = min(total, sent + maxBatch, Int(elapsed / interval) + 1)
            try await send((sent..<upTo).map(due))
            sent = upTo
        }
        return Double(total) / (Double(MessageStamp.now() - start) / 1e9)
    }
}
