import Foundation

/// Where `warren ship` stands in one followed file: which file (device and inode, so a rotated
/// file is recognised) and the byte offset just past the last line the broker confirmed.
struct ShipOffset: Codable, Equatable {
    var path: String
    var device: UInt64
    var inode: UInt64
    var offset: Int64
    /// The file's first bytes when the offset was saved; a file whose start changed was rewritten.
    var head: FileHead
}

/// The offset files under `--state-dir`, one per followed path, replaced atomically (write,
/// fsync, rename) and only after the broker confirmed the lines before the offset.
struct ShipOffsetStore {
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func load(for path: String) -> ShipOffset? {
        guard let data = FileManager.default.contents(atPath: file(for: path)),
              let offset = try? JSONDecoder().decode(ShipOffset.self, from: data), offset.path == path else { return nil }
        return offset
    }

    func save(_ offset: ShipOffset) throws {
        let target = file(for: offset.path)
        let temporary = target + ".tmp"
        let data = try JSONEncoder().encode(offset)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ShipError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0, rename(temporary, target) == 0 else {
            throw ShipError("cannot write \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// `<name>-<FNV-1a of the absolute path>.offset`: readable, and distinct for equal names in different directories.
    private func file(for path: String) -> String {
        let hash = FileHead.fnv1a(path.utf8)
        let name = (path as NSString).lastPathComponent
        return directory + "/" + name + "-" + String(hash, radix: 16) + ".offset"
    }
}

/// A `warren ship` failure that stops it (an unreadable file, an unwritable state directory).
struct ShipError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
