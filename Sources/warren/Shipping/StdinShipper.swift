import Foundation
import Synchronization
import Syslog

/// Ships the lines of standard input until it ends (no offset file: a pipe cannot be re-read).
struct StdinShipper {
    let shipper: LineShipper
    let maxLineLength: Int

    func run() async throws {
        var splitter = LineSplitter(maxLineLength: maxLineLength)
        while true {
            let bytes = try await Self.readChunk()
            guard !bytes.isEmpty else {
                if let rest = splitter.finish() { try await shipper.ship([rest]) }
                return
            }
            try await shipper.ship(splitter.append(bytes))
        }
    }

    /// The next bytes of stdin (empty at its end), read on a thread that gives up when the task is
    /// cancelled; nothing read is ever dropped, because reading only happens between batches.
    private static func readChunk() async throws -> [UInt8] {
        let cancelled = CancelFlag()
        let bytes: [UInt8]? = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
                    while !cancelled.value.load(ordering: .relaxed) {
                        guard poll(&descriptor, 1, 200) != 0 else { continue }
                        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                        let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                        buffer.removeLast(buffer.count - max(0, count))
                        continuation.resume(returning: buffer)
                        return
                    }
                    continuation.resume(returning: nil)
                }
            }
        } onCancel: {
            cancelled.value.store(true, ordering: .relaxed)
        }
        guard let bytes else { throw CancellationError() }
        return bytes
    }
}

/// Set when the reading task is cancelled; read by the reading thread.
private final class CancelFlag: Sendable {
    let value = Atomic<Bool>(false)
}
