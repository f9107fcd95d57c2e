import Foundation

/// Device, inode and size of a path, as stat(2) reports them; nil when it does not exist.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
    }

    func isSameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }
}

/// One open file being read from a position; reads never block (a regular file at its end reads 0).
final class FollowedFile {
    let path: String
    let identity: FileIdentity
    private let descriptor: Int32
    private(set) var position: Int64
    private(set) var head: FileHead

    /// Opens `path` and seeks to `offset`; to 0 when the file is now shorter, or does not start
    /// with `expectedHead` any more (it was truncated, and maybe written again, meanwhile).
    init(path: String, offset: Int64, expectedHead: FileHead? = nil) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ShipError("cannot open \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        fstat(fd, &info)
        self.path = path
        self.descriptor = fd
        self.identity = FileIdentity(info)
        self.position = offset
        self.head = FileHead([])
        head = FileHead(readHead())
        if offset > identity.size || expectedHead.map({ $0.differs(from: readHead()) }) == true {
            position = 0
        }
        lseek(fd, off_t(position), SEEK_SET)
    }

    private func readHead() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: FileHead.capacity)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        bytes.removeLast(bytes.count - max(0, count))
        return bytes
    }

    deinit { close(descriptor) }

    /// Up to `limit` bytes from the current position; empty at the end of the file.
    func read(limit: Int = 256 * 1024) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: limit)
        let count = bytes.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, limit) }
        guard count >= 0 else { throw ShipError("cannot read \(path): \(String(cString: strerror(errno)))") }
        position += Int64(count)
        bytes.removeLast(limit - count)
        return bytes
    }

    /// Truncated in place (copytruncate, `> file`): shorter than what was read already, or its
    /// first bytes changed (truncated and written again past the read position). Otherwise the
    /// remembered head grows with the file up to its capacity.
    func wasTruncated() -> Bool {
        var info = stat()
        if fstat(descriptor, &info) == 0, Int64(info.st_size) < position { return true }
        let current = readHead()
        if head.differs(from: current) { return true }
        if current.count > head.length { head = FileHead(current) }
        return false
    }

    /// Starts again at the beginning (after a truncation).
    func rewind() {
        lseek(descriptor, 0, SEEK_SET)
        position = 0
        head = FileHead(readHead())
    }

    /// Another file now has this one's path (rotated by rename, or deleted and created anew).
    var isReplaced: Bool {
        guard let current = FileIdentity(path: path) else { return false }
        return !current.isSameFile(as: identity)
    }
}
