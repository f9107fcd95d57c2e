import Broker

/// What the log knows of one segment without reading it: its offsets, times and length.
struct StreamSegment {
    /// The offset of its first entry, which names its files.
    let firstOffset: UInt64
    /// One past its last entry's offset (`firstOffset` when it holds none).
    var nextOffset: UInt64
    var firstTimestamp: Int64?
    var lastTimestamp: Int64?
    /// Length of its entries in bytes: readers trust the file up to here.
    var bytes: Int
    /// Position of the entry last put in the index.
    var lastIndexedPosition: Int?

    init(firstOffset: UInt64) {
        self.firstOffset = firstOffset
        self.nextOffset = firstOffset
        self.bytes = 0
    }

    var isEmpty: Bool { nextOffset == firstOffset }

    /// Files are named by the first offset in 20 digits, so names sort as offsets do.
    static func baseName(_ firstOffset: UInt64) -> String {
        let digits = String(firstOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Takes an entry written at `position` into the segment's numbers.
    mutating func note(_ entry: StreamEntry, at position: Int, size: Int) {
        if firstTimestamp == nil { firstTimestamp = entry.timestamp }
        lastTimestamp = entry.timestamp
        nextOffset = entry.offset + 1
        bytes = position + size
    }

    /// Whether an entry at `position` goes into the sparse index: the first of the segment, then
    /// one every `StreamLog.indexInterval` bytes.
    func indexes(position: Int) -> Bool {
        guard let last = lastIndexedPosition else { return true }
        return position - last >= StreamLog.indexInterval
    }
}
