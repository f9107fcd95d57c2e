import NIOConcurrencyHelpers
import NIOCore

/// The live-tail event streams open right now, at most `limit` of them (`http.max_live_tail_streams`),
/// so shutdown can end them: an HTTP server waits for open responses before it stops, and an
/// event stream never ends on its own.
final class OpenStreams: Sendable {
    /// Streams open now and refused so far.
    struct Counts: Sendable {
        var open: Int
        var refused: Int
    }

    private struct State {
        var open: [Int: AsyncStream<ByteBuffer>.Continuation] = [:]
        var next = 0
        var refused = 0
        var closed = false
    }

    let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) {
        self.limit = limit
    }

    var counts: Counts {
        state.withLockedValue { Counts(open: $0.open.count, refused: $0.refused) }
    }

    /// Whether one more stream may open; when not, the refusal is counted (the request gets 503).
    func admitsAnother() -> Bool {
        state.withLockedValue { state in
            guard state.open.count >= limit else { return true }
            state.refused += 1
            return false
        }
    }

    /// Registers a stream; returns its key, or nil when shutdown has begun or the limit was reached
    /// meanwhile (the stream is finished at once).
    func add(_ stream: AsyncStream<ByteBuffer>.Continuation) -> Int? {
        let key: Int? = state.withLockedValue { state in
            guard !state.closed else { return nil }
            guard state.open.count < limit else {
                state.refused += 1
                return nil
            }
            state.next += 1
            state.open[state.next] = stream
            return state.next
        }
        if key == nil { stream.finish() }
        return key
    }

    func remove(_ key: Int) {
        _ = state.withLockedValue { $0.open.removeValue(forKey: key) }
    }

    /// Ends every open stream and refuses new ones.
    func finishAll() {
        let open = state.withLockedValue { state in
            state.closed = true
            defer { state.open = [:] }
            return Array(state.open.values)
        }
        open.forEach { $0.finish() }
    }
}
