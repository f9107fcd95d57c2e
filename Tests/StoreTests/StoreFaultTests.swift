import Broker
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import Store

#if canImport(Glibc)
import Glibc
#endif

/// File operations that fail while switched on, as a full disk does: a write puts half of its
/// bytes on disk, then fails with ENOSPC; a positioned write (paging) fails with ENOSPC.
final class DiskFault: Sendable {
    private let failing = Atomic<Bool>(false)
    private let failedWrites = Atomic<Int>(0)

    func fail(_ on: Bool) { failing.store(on, ordering: .relaxed) }
    var writesRefused: Int { failedWrites.load(ordering: .relaxed) }

    var operations: FileOperations {
        var operations = FileOperations.system
        operations.write = { [self] descriptor, bytes in
            guard failing.load(ordering: .relaxed) else { return Glibc.write(descriptor, bytes.baseAddress, bytes.count) }
            if bytes.count > 1 { return Glibc.write(descriptor, bytes.baseAddress, bytes.count / 2) }
            failedWrites.add(1, ordering: .relaxed)
            errno = ENOSPC
            return -1
        }
        operations.writeAt = { [self] descriptor, bytes, offset in
            guard failing.load(ordering: .relaxed) else { return pwrite(descriptor, bytes.baseAddress, bytes.count, off_t(offset)) }
            failedWrites.add(1, ordering: .relaxed)
            errno = ENOSPC
            return -1
        }
        return operations
    }
}

/// A store whose writes fail is not wedged: callbacks are told, the records are kept and written
/// once writes work again, and the half-written bytes of the failed writes are never left
/// between records.
@Suite struct StoreFaultTests {
    @Test func failedWritesAreRetriedThenReportedThenRecovered() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let fault = DiskFault()
            let harness = try await StoreHarness(directory: directory, operations: fault.operations)
            try await harness.run { store in store.stored(publish(store.allocateID(), "before")) }
            #expect(try await harness.commitAndWait().isWritten)

            fault.fail(true)
            try await harness.run { store in store.stored(publish(store.allocateID(), "during")) }
            let failed = try await harness.commitAndWait()
            #expect(!failed.isWritten)
            #expect(fault.writesRefused == MessageStore.attempts)
            await harness.failures.wait(for: 1)
            #expect(harness.failures.all.first?.contains("No space left on device") == true)
            // While failing, callbacks are answered at once, without a write.
            try await harness.run { store in store.stored(publish(store.allocateID(), "while failing")) }
            #expect(try await harness.commitAndWait().isWritten == false)
            #expect(fault.writesRefused <= 2 * MessageStore.attempts)  // at most one retry ran meanwhile

            fault.fail(false)
            await harness.failures.wait(for: 2)  // the retry timer wrote what was kept
            #expect(harness.failures.all.last == "recovered")
            try await harness.run { store in store.stored(publish(store.allocateID(), "after")) }
            #expect(try await harness.commitAndWait().isWritten)
            let recovered = try recover(directory)
            #expect(recovered.bodies("q") == ["before", "during", "while failing", "after"])
            #expect(recovered.discardedBytes == 0)
            try await harness.shutdown()
        }
    }

    /// A definitions file that cannot be written (its temporary path is a directory: EISDIR)
    /// fails the write; the store recovers once the path is free again.
    @Test func definitionsThatCannotBeWrittenFailTheWrite() async throws {
        try await withTemporaryDirectory { root in
            let directory = messagesDirectory(root)
            let harness = try await StoreHarness(directory: directory)
            let blocker = directory + "/definitions.json.tmp"
            try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
            try await harness.run { store in store.saveDefinitions(Data("{}".utf8)) }
            guard case .failed(let reason) = try await harness.commitAndWait() else {
                Issue.record("a definitions write into a directory succeeded")
                return
            }
            #expect(reason.contains("definitions.json.tmp"))
            await harness.failures.wait(for: 1)
            try FileManager.default.removeItem(atPath: blocker)
            await harness.failures.wait(for: 2)
            try await harness.run { store in store.saveDefinitions(Data("{\"vhosts\":[]}".utf8)) }
            #expect(try await harness.commitAndWait().isWritten)
            #expect(try String(contentsOfFile: directory + "/definitions.json", encoding: .utf8) == "{\"vhosts\":[]}")
            try await harness.shutdown()
        }
    }
}

extension DiskOutcome {
    var isWritten: Bool {
        if case .written = self { true } else { false }
    }
}
