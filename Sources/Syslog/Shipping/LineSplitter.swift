/// Splits a growing file (or stdin) into lines for `warren ship`, tracking the byte offset just
/// past the last complete line so a follower can save it and resume there.
///
/// A line ends at LF; a CR before the LF is dropped; empty lines are skipped (but counted in the
/// offset). A line longer than `maxLineLength` is kept whole in the offset, published once with
/// its first `maxLineLength` bytes and `truncatedBytes` telling how many were cut; it is never
/// split into a second line. Memory stays bounded by `maxLineLength`.
public struct LineSplitter: Sendable {
    /// One line ready to publish.
    public struct Line: Sendable, Equatable {
        public var bytes: [UInt8]
        /// Bytes of the line beyond `maxLineLength` that were left out (0: complete).
        public var truncatedBytes: Int
    }

    public let maxLineLength: Int
    /// Offset just past the last complete line handed out (or skipped as empty).
    public private(set) var committableOffset: Int64
    /// The first `maxLineLength` bytes of the current, unfinished line.
    private var pending: [UInt8] = []
    private var lastIsCR = false
    /// Bytes of the current, unfinished line (kept or cut) since `committableOffset`.
    private var pendingLength: Int64 = 0

    public init(maxLineLength: Int, startOffset: Int64 = 0) {
        self.maxLineLength = max(1, maxLineLength)
        self.committableOffset = startOffset
    }

    /// Takes the next bytes read; returns the lines they complete, in order.
    public mutating func append(_ bytes: some BidirectionalCollection<UInt8>) -> [Line] {
        var lines: [Line] = []
        var start = bytes.startIndex
        while start != bytes.endIndex {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                keep(bytes[start...])
                break
            }
            keep(bytes[start..<newline])
            committableOffset += pendingLength + 1
            if let line = takeLine() { lines.append(line) }
            start = bytes.index(after: newline)
        }
        return lines
    }

    /// The unterminated rest (the source ended or was rotated away), if any; its bytes count as done.
    public mutating func finish() -> Line? {
        committableOffset += pendingLength
        return takeLine()
    }

    private mutating func keep(_ bytes: some BidirectionalCollection<UInt8>) {
        guard let last = bytes.last else { return }
        pendingLength += Int64(bytes.count)
        lastIsCR = last == 0x0D
        let room = maxLineLength - pending.count
        pending.append(contentsOf: bytes.prefix(max(0, room)))
    }

    private mutating func takeLine() -> Line? {
        defer {
            pending.removeAll(keepingCapacity: pending.count <= 4096)
            pendingLength = 0
            lastIsCR = false
        }
        let length = Int(pendingLength) - (lastIsCR ? 1 : 0)
        guard length > 0 else { return nil }
        let kept = min(length, maxLineLength)
        return Line(bytes: Array(pending.prefix(kept)), truncatedBytes: length - kept)
    }
}
