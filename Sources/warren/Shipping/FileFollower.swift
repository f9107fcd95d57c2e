import Foundation
import Syslog

/// Follows one path as `tail -F` does and ships every line: from the saved offset (or the start,
/// the first time), through rotation by rename (the old file is read to its end, then the new one
/// from 0; a file rotated while ship was stopped is found again by its inode in the same
/// directory) and truncation (read again from 0). A missing path is waited for. The offset is
/// saved after each confirmed batch, so a restart neither loses nor repeats lines.
struct FileFollower {
    let path: String
    let shipper: LineShipper
    let store: ShipOffsetStore
    let maxLineLength: Int
    static let pollInterval = Duration.milliseconds(200)

    func run() async throws {
        var file = try await resume()
        var splitter = LineSplitter(maxLineLength: maxLineLength, startOffset: file?.position ?? 0)
        while true {
            try Task.checkCancellation()
            guard let current = file else {
                if FileIdentity(path: path) != nil {
                    file = try FollowedFile(path: path, offset: 0)
                    splitter = LineSplitter(maxLineLength: maxLineLength)
                    if let file { try save(file, offset: 0) }
                } else {
                    try await Task.sleep(for: Self.pollInterval)
                }
                continue
            }
            if current.wasTruncated() {
                try await finish(current, &splitter)
                current.rewind()
                splitter = LineSplitter(maxLineLength: maxLineLength)
                try save(current, offset: 0)
                continue
            }
            if try await shipAvailable(current, &splitter) { continue }
            if current.isReplaced {
                while try await shipAvailable(current, &splitter) {}
                try await finish(current, &splitter)
                file = nil
            } else {
                try await Task.sleep(for: Self.pollInterval)
            }
        }
    }

    /// The file to go on with; first ships the rest of a file rotated away while ship was stopped.
    private func resume() async throws -> FollowedFile? {
        guard let saved = store.load(for: path) else {
            return FileIdentity(path: path) == nil ? nil : try FollowedFile(path: path, offset: 0)
        }
        if let now = FileIdentity(path: path), now.device == saved.device, now.inode == saved.inode {
            return try FollowedFile(path: path, offset: saved.offset, expectedHead: saved.head)
        }
        if let rotated = rotatedPath(of: saved) {
            let old = try FollowedFile(path: rotated, offset: saved.offset, expectedHead: saved.head)
            var splitter = LineSplitter(maxLineLength: maxLineLength, startOffset: old.position)
            while try await shipAvailable(old, &splitter) {}
            try await finish(old, &splitter)
        }
        return FileIdentity(path: path) == nil ? nil : try FollowedFile(path: path, offset: 0)
    }

    /// Ships the lines completed by the next bytes; false at the end of the file.
    private func shipAvailable(_ file: FollowedFile, _ splitter: inout LineSplitter) async throws -> Bool {
        let bytes = try file.read()
        guard !bytes.isEmpty else { return false }
        let before = splitter.committableOffset
        try await shipper.ship(splitter.append(bytes))
        if splitter.committableOffset != before { try save(file, offset: splitter.committableOffset) }
        return true
    }

    /// Ships an unterminated last line of a file that is done (rotated away or truncated).
    private func finish(_ file: FollowedFile, _ splitter: inout LineSplitter) async throws {
        if let rest = splitter.finish() { try await shipper.ship([rest]) }
        try save(file, offset: splitter.committableOffset)
    }

    private func save(_ file: FollowedFile, offset: Int64) throws {
        try store.save(ShipOffset(path: path, device: file.identity.device, inode: file.identity.inode,
                                  offset: offset, head: file.head))
    }

    /// The file in the same directory that has the saved inode (`app.log.1` after a rename), if any.
    private func rotatedPath(of saved: ShipOffset) -> String? {
        let directory = (path as NSString).deletingLastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names {
            let candidate = directory + "/" + name
            if let identity = FileIdentity(path: candidate), identity.device == saved.device, identity.inode == saved.inode {
                return candidate
            }
        }
        return nil
    }
}
