import Foundation
import Logging
import NIOCore
import NIOPosix

/// The data directory: its lock, the definitions file and the message log, opened and recovered
/// at startup. Writing happens on a thread of its own (an event loop that runs nothing else).
public final class Store: Sendable {
    public let directory: String
    public let definitions: DefinitionsFile
    private let lock: DataDirectoryLock
    private let writerGroup: MultiThreadedEventLoopGroup
    private let files: NIOLoopBound<SegmentFiles>

    /// Locks the directory and reads what it holds.
    public static func open(directory: String, logger: Logger) async throws -> (Store, RecoveredMessages) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try DataDirectoryLock(directory: directory)
        let writerGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let writerLoop = writerGroup.next()
        let (files, recovered) = try await writerLoop.submit {
            let files = try SegmentFiles(directory: directory + "/messages")
            let recovered = try Recovery.run(files: files, logger: logger)
            for segment in recovered.emptySegments { files.delete(segment) }
            return (NIOLoopBound(files, eventLoop: writerLoop), recovered)
        }.get()
        let store = Store(directory: directory, lock: lock, writerGroup: writerGroup, files: files)
        return (store, recovered)
    }

    private init(directory: String, lock: DataDirectoryLock, writerGroup: MultiThreadedEventLoopGroup, files: NIOLoopBound<SegmentFiles>) {
        self.directory = directory
        self.definitions = DefinitionsFile(directory: directory)
        self.lock = lock
        self.writerGroup = writerGroup
        self.files = files
    }

    /// The message log for the broker's loop.
    public func messageStore(recovered: RecoveredMessages, brokerLoop: any EventLoop,
                             onFailure: @escaping @Sendable (StoreError) -> Void) -> MessageStore {
        MessageStore(recovered: recovered, files: files, brokerLoop: brokerLoop, writerLoop: writerGroup.next(), onFailure: onFailure)
    }

    /// Writes the definitions file on the writer thread, after any log write already queued.
    public func saveDefinitions(_ data: Data, onFailure: @escaping @Sendable (any Error) -> Void) {
        let definitions = self.definitions
        writerGroup.next().execute {
            do { try definitions.write(data) } catch { onFailure(error) }
        }
    }
}
