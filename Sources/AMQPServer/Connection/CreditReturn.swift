/// When a connection hands delivery credit back to the broker: content bytes it has written to
/// its socket are returned in lumps of a quarter window while the socket is writable (one hop per
/// lump, not per batch), and all at once when the socket becomes writable again. While the socket
/// is not writable nothing is returned, so the broker stops once the window is spent.
struct CreditReturn {
    private let lump: Int
    /// Bytes written and not yet returned.
    private(set) var unreturned = 0

    init(window: Int) {
        lump = max(1, window / 4)
    }

    /// A batch of `bytes` was written; the bytes to return now (0 for none).
    mutating func wrote(_ bytes: Int, writable: Bool) -> Int {
        unreturned = unreturned.addingReportingOverflow(bytes).overflow ? .max : unreturned + bytes
        guard writable, unreturned >= lump else { return 0 }
        return takeAll()
    }

    /// The socket drained below its low water mark: everything written is returned.
    mutating func becameWritable() -> Int {
        takeAll()
    }

    private mutating func takeAll() -> Int {
        defer { unreturned = 0 }
        return unreturned
    }
}
