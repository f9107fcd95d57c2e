import Broker
import Foundation
import Logging
import NIOCore
import NIOPosix

@testable import Store

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp, removed when the body returns (or throws).
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

private func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/warren-storetests-XXXXXX".utf8CString)
    guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw StoreError.io("mkdtemp", errno)
    }
    return String(cString: result)
}

/// Log lines captured from a Logger, for asserting on what recovery reports.
final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []

    var logger: Logger {
        Logger(label: "storetests") { _ in CapturingLogHandler(sink: self) }
    }

    func append(_ level: Logger.Level, _ message: String) {
        lock.withLock { lines.append((level, message)) }
    }

    var messages: [(level: Logger.Level, text: String)] {
        lock.withLock { lines.map { (level: $0.0, text: $0.1) } }
    }

    func warnings(containing text: String) -> [String] {
        messages.filter { $0.level >= .warning && $0.text.contains(text) }.map(\.text)
    }
}

struct CapturingLogHandler: LogHandler {
    let sink: LogSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        sink.append(event.level, event.message.description)
    }
}

// MARK: - Records and segment files

/// A publish record with a text body, to `queues` in vhost "/".
func publish(_ id: UInt64, _ body: String, queues: [String] = ["q"], vhost: String = "/") -> StoreRecord {
    .publish(id: id, vhost: vhost, queues: queues, exchange: "ex", routingKey: "rk",
             properties: ByteBuffer(bytes: [0x10, 0x00, 0x02]), body: ByteBuffer(string: body))
}

/// A publish record with a body of `size` bytes, all the same value.
func bigPublish(_ id: UInt64, size: Int, queues: [String]) -> StoreRecord {
    .publish(id: id, vhost: "/", queues: queues, exchange: "", routingKey: queues[0],
             properties: ByteBuffer(), body: ByteBuffer(repeating: UInt8(truncatingIfNeeded: id), count: size))
}

/// The framed bytes of some records.
func framed(_ records: [StoreRecord]) -> [UInt8] {
    var buffer = ByteBuffer()
    for record in records { record.write(to: &buffer) }
    return Array(buffer.readableBytesView)
}

/// Byte offsets at which each record starts when the records are framed one after another.
func recordOffsets(_ records: [StoreRecord]) -> [Int] {
    var offsets: [Int] = []
    var total = 0
    for record in records {
        offsets.append(total)
        total += framed([record]).count
    }
    return offsets
}

/// `<data dir>/messages`, the segment directory.
func messagesDirectory(_ dataDirectory: String) -> String { dataDirectory + "/messages" }

/// Writes a segment file with exactly these bytes (creating the directory).
func writeSegment(_ number: UInt32, bytes: [UInt8], in directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + SegmentFiles.name(number)))
}

func writeSegment(_ number: UInt32, _ records: [StoreRecord], in directory: String) throws {
    try writeSegment(number, bytes: framed(records), in: directory)
}

func segmentBytes(_ number: UInt32, in directory: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + SegmentFiles.name(number))))
}

func segmentNumbers(in directory: String) throws -> [UInt32] {
    try SegmentFiles(directory: directory).existingSegments()
}

/// Runs recovery over a segment directory, both passes, as Store.open and StorePersistence do
/// (without deleting anything).
func recover(_ directory: String, logger: Logger = Logger(label: "storetests")) throws -> Recovered {
    try Recovered(Recovery.run(files: SegmentFiles(directory: directory), logger: logger))
}

/// Store.open, with what its recovery found (both passes).
func openStore(_ directory: String) async throws -> (Store, Recovered) {
    let store = try await Store.open(directory: directory, logger: Logger(label: "storetests"))
    guard let scan = store.takeRecovered() else { throw StoreError.io("recovery handed out twice", 0) }
    return (store, try Recovered(scan))
}

/// The first pass's result with what the second pass handed over, per vhost and queue in order.
@dynamicMemberLookup
struct Recovered {
    let scan: RecoveredMessages
    private(set) var queues: [String: [String: [(message: RecoveredMessages.Message, redelivered: Bool)]]] = [:]

    init(_ scan: RecoveredMessages) throws {
        self.scan = scan
        var queues = self.queues
        try scan.replay { message, vhost, queue, redelivered in
            queues[vhost, default: [:]][queue, default: []].append((message, redelivered))
        }
        self.queues = queues
    }

    subscript<Value>(dynamicMember path: KeyPath<RecoveredMessages, Value>) -> Value { scan[keyPath: path] }

    /// The bodies recovered for a queue, in order.
    func bodies(_ queue: String, vhost: String = "/") -> [String] {
        (queues[vhost]?[queue] ?? []).map { String(buffer: $0.message.body) }
    }

    /// (body, redelivered) recovered for a queue, in order.
    func entries(_ queue: String, vhost: String = "/") -> [(body: String, redelivered: Bool)] {
        (queues[vhost]?[queue] ?? []).map { (String(buffer: $0.message.body), $0.redelivered) }
    }

    func ids(_ queue: String, vhost: String = "/") -> [UInt64] {
        (queues[vhost]?[queue] ?? []).map(\.message.id)
    }
}

// MARK: - A MessageStore on real event loops

/// Store state changes: each failure's text, "recovered" when writes work again.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    func append(_ text: String) {
        let ready = lock.withLock {
            recorded.append(text)
            let ready = waiters.filter { $0.count <= recorded.count }
            waiters.removeAll { $0.count <= recorded.count }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    var all: [String] { lock.withLock { recorded } }

    /// Returns once `count` state changes have been recorded.
    func wait(for count: Int) async {
        await withCheckedContinuation { continuation in
            let now = lock.withLock {
                if recorded.count >= count { return true }
                waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// A MessageStore over a segment directory, driven from a broker loop with its own writer
/// thread, as the server runs it. Every call hops to the broker loop and waits.
final class StoreHarness: Sendable {
    let brokerGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let writerGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let store: NIOLoopBound<MessageStore>
    let failures = Failures()

    var brokerLoop: any EventLoop { brokerGroup.any() }

    init(directory: String, operations: FileOperations = .system, logger: Logger = Logger(label: "storetests")) async throws {
        let writerLoop = writerGroup.any()
        let brokerLoop = brokerGroup.any()
        let (files, recovered) = try await writerLoop.submit {
            let files = try SegmentFiles(directory: directory, operations: operations)
            let recovered = try Recovery.run(files: files, logger: logger)
            return (NIOLoopBound(files, eventLoop: writerLoop), recovered)
        }.get()
        let failures = self.failures
        store = try await brokerLoop.submit {
            NIOLoopBound(MessageStore(recovered: recovered, files: files, segmentsDirectory: directory,
                                      definitionsFile: DefinitionsFile(directory: directory, operations: operations),
                                      brokerLoop: brokerLoop, writerLoop: writerLoop,
                                      stateChanged: { error in failures.append(error.map { "\($0)" } ?? "recovered") }),
                         eventLoop: brokerLoop)
        }.get()
    }

    /// Runs `body` with the store on the broker loop.
    func run<T: Sendable>(_ body: @escaping @Sendable (MessageStore) -> T) async throws -> T {
        let store = self.store
        return try await brokerLoop.submit { body(store.value) }.get()
    }

    /// Commits and waits until everything appended so far is on disk, or could not be written.
    @discardableResult
    func commitAndWait() async throws -> DiskOutcome {
        let store = self.store
        let promise = brokerLoop.makePromise(of: DiskOutcome.self)
        brokerLoop.execute {
            store.value.whenDurable { promise.succeed($0) }
            store.value.commit()
        }
        return try await promise.futureResult.get()
    }

    func shutdown() async throws {
        try await brokerGroup.shutdownGracefully()
        try await writerGroup.shutdownGracefully()
    }
}
