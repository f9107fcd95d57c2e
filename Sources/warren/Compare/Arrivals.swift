/// Lets a task wait, on the arrivals themselves rather than by polling, until a count reaches a
/// target or a timeout passes. Consumers call `signal` with their running count.
struct Arrivals: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    init() {
        (stream, continuation) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func signal(_ count: Int) { continuation.yield(count) }

    /// Returns when a signalled count reaches `target` (at once when `current` already does) or after `timeout`.
    func wait(for target: Int, current: Int, timeout: Duration) async {
        guard current < target else { return }
        let stream = stream
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await count in stream where count >= target { return } }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
