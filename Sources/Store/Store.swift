import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The data directory: its lock, the definitions file and the message log, opened and recovered
/// at startup. Writing happens on a thread of its own (an event loop that runs nothing else).
public final class Store: Sendable {
    public let directory: String
    public let definitions: DefinitionsFile
    private let lock: DataDirectoryLock
    private let writerGroup: MultiThreadedEventLoopGroup
    private let files: NIOLoopBound<SegmentFiles>
    /// What the first pass of recovery found, until `StorePersistence` takes it to restore the
    /// messages (it is as large as the backlog is long, so nothing else keeps it).
    private let recovered: Mutex<RecoveredMessages?>

    /// Locks the directory and reads what it holds.
    public static func open(directory: String, logger: Logger) async throws -> Store {
        try await open(directory: directory, logger: logger, operations: .system)
    }

    /// As `open`, with the file operations the writers use (tests inject failures).
    static func open(directory: String, logger: Logger, operations: FileOperations) async throws -> Store {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try DataDirectoryLock(directory: directory)
        let writerGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let writerLoop = writerGroup.next()
        let (files, recovered) = try await writerLoop.submit {
            let files = try SegmentFiles(directory: directory + "/messages", operations: operations)
            let recovered = try Recovery.run(files: files, logger: logger)
            for segment in recovered.emptySegments { try files.delete(segment) }
            return (NIOLoopBound(files, eventLoop: writerLoop), recovered)
        }.get()
        return Store(directory: directory, definitions: DefinitionsFile(directory: directory, operations: operations),
                     lock: lock, writerGroup: writerGroup, files: files, recovered: recovered)
    }

    private init(directory: String, definitions: DefinitionsFile, lock: DataDirectoryLock,
                 writerGroup: MultiThreadedEventLoopGroup, files: NIOLoopBound<SegmentFiles>, recovered: RecoveredMessages) {
        self.directory = directory
        self.definitions = definitions
        self.lock = lock
        self.writerGroup = writerGroup
        self.files = files
        self.recovered = Mutex(recovered)
    }

    /// What recovery found, handed out once; nil after.
    func takeRecovered() -> RecoveredMessages? {
        recovered.withLock { taken in
            defer { taken = nil }
            return taken
        }
    }

    /// The message log (and definitions writer) for the broker's loop; `stateChanged` is told
    /// when writes start failing (the error) and when they work again (nil).
    public func messageStore(recovered: RecoveredMessages, brokerLoop: any EventLoop,
                             stateChanged: @escaping (StoreError?) -> Void) -> MessageStore {
        MessageStore(recovered: recovered, files: files, segmentsDirectory: directory + "/messages", definitionsFile: definitions,
                     brokerLoop: brokerLoop, writerLoop: writerGroup.next(), stateChanged: stateChanged)
    }
}
