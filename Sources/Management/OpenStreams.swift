import NIOConcurrencyHelpers
import NIOCore

/// The live-tail event streams open right now, so shutdown can end them: an HTTP server waits for
/// open responses before it stops, and an event stream never ends on its own.
final class OpenStreams: Sendable {
    private let streams = NIOLockedValueBox<(open: [Int: AsyncStream<ByteBuffer>.Continuation], next: Int, closed: Bool)>(([:], 0, false))

    /// Registers a stream; returns its key, or nil when shutdown has begun (the stream is finished at once).
    func add(_ stream: AsyncStream<ByteBuffer>.Continuation) -> Int? {
        let key: Int? = streams.withLockedValue { state in
            guard !state.closed else { return nil }
            state.next += 1
            state.open[state.next] = stream
            return state.next
        }
        if key == nil { stream.finish() }
        return key
    }

    func remove(_ key: Int) {
        _ = streams.withLockedValue { $0.open.removeValue(forKey: key) }
    }

    /// Ends every open stream and refuses new ones.
    func finishAll() {
        let open = streams.withLockedValue { state in
            state.closed = true
            defer { state.open = [:] }
            return Array(state.open.values)
        }
        open.forEach { $0.finish() }
    }
}
