import Broker
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The streams' logs under `<data>/streams/`, one directory per stream queue, named from its
/// vhost and name. Used on the broker's event loop.
public final class StreamDirectory: StreamStorage {
    let root: String
    private let operations: FileOperations
    private var logs: [String: StreamLog] = [:]
    private let logger: Logger

    init(root: String, operations: FileOperations = .system, logger: Logger = Logger(label: "warren.streams")) {
        self.root = root
        self.operations = operations
        self.logger = logger
        removeSetAside()
    }

    /// Directories of deleted streams that a crash left set aside (see `remove`). The root is
    /// absent before the first stream, which leaves nothing to do.
    private func removeSetAside() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for name in names where name.hasPrefix(Self.setAsidePrefix) {
            do {
                try FileManager.default.removeItem(atPath: root + "/" + name)
            } catch {
                logger.error("the files of a deleted stream in \(root)/\(name) could not be removed: \(error)")
            }
        }
    }

    private static let setAsidePrefix = ".deleted-"

    public func open(vhost: String, queue: String, retention: StreamRetention) throws -> any StreamLogAccess {
        let name = Self.directoryName(vhost: vhost, queue: queue)
        if let log = logs[name] { return log }
        let log = try StreamLog(directory: root + "/" + name, retention: retention, operations: operations)
        logs[name] = log
        return log
    }

    public func remove(vhost: String, queue: String) {
        let name = Self.directoryName(vhost: vhost, queue: queue)
        logs[name] = nil
        let path = root + "/" + name
        // Renamed aside first (one atomic step), so a stream declared later with the same name
        // starts empty even if removing the files fails.
        let doomed = root + "/" + Self.setAsidePrefix + UUID().uuidString
        guard rename(path, doomed) == 0 else {
            if errno != ENOENT {
                logger.error("stream '\(queue)' in vhost '\(vhost)' deleted, but its directory \(path) could not be set aside (errno \(errno)): a stream declared later with this name would find its entries; remove the directory by hand")
            }
            return
        }
        _ = fsyncDirectory(root)
        do {
            try FileManager.default.removeItem(atPath: doomed)
        } catch {
            logger.error("stream '\(queue)' in vhost '\(vhost)' deleted, but its files in \(doomed) could not be removed: \(error)")
        }
    }

    /// Per log written since the last call: the descriptors to fsync and the offset below which
    /// its entries are then durable.
    func takeSyncs() -> [(log: StreamLog, descriptors: [Int32], through: UInt64)] {
        logs.values.compactMap { log in log.takeSyncs().map { (log, $0.descriptors, $0.through) } }
    }

    /// `vhost~queue` with every byte outside `[A-Za-z0-9._-]` as `%XX`, so distinct streams never
    /// share a directory; a name too long for the file system keeps a prefix and a hash of the whole.
    static func directoryName(vhost: String, queue: String) -> String {
        let encoded = percentEncoded(vhost) + "~" + percentEncoded(queue)
        guard encoded.utf8.count > 200 else { return encoded }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64 bits
        for byte in encoded.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(encoded.prefix(160)) + "~" + String(hash, radix: 16)
    }

    private static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result == "." || result == ".." ? "%2E" + result.dropFirst() : result
    }
}
