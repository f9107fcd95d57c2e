/// The first bytes of a followed file (up to 64), to notice a file truncated and written again
/// past the read position between two looks, which its size alone cannot tell.
struct FileHead: Codable, Equatable {
    static let capacity = 64
    var length: Int
    /// FNV-1a of those bytes.
    var hash: UInt64

    init(_ bytes: some Collection<UInt8>) {
        length = bytes.count
        hash = Self.fnv1a(bytes)
    }

    /// True when `current` (the file's first bytes now) no longer starts with these bytes.
    func differs(from current: [UInt8]) -> Bool {
        current.count < length || Self.fnv1a(current.prefix(length)) != hash
    }

    static func fnv1a(_ bytes: some Collection<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
