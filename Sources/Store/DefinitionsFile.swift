import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `definitions.json` in the data directory, replaced atomically: written to a temporary file,
/// fsync'd, renamed over the old one, and the directory fsync'd.
public struct DefinitionsFile: Sendable {
    public let path: String
    private let operations: FileOperations

    public init(directory: String) {
        self.init(directory: directory, operations: .system)
    }

    init(directory: String, operations: FileOperations) {
        self.path = directory + "/definitions.json"
        self.operations = operations
    }

    public func read() throws -> Data? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    public func write(_ data: Data) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)  // it holds password hashes
        guard descriptor >= 0 else { throw StoreError.io("open \(temporary)", errno) }
        defer { close(descriptor) }
        try data.withUnsafeBytes { raw in try operations.writeAll(descriptor, raw, path: temporary) }
        guard operations.fsync(descriptor) == 0 else { throw StoreError.io("fsync \(temporary)", errno) }
        guard rename(temporary, path) == 0 else { throw StoreError.io("rename \(temporary)", errno) }
        let directory = (path as NSString).deletingLastPathComponent
        guard fsyncDirectory(directory) == 0 else { throw StoreError.io("fsync \(directory)", errno) }
    }
}
