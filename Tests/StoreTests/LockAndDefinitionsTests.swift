import AMQPWire
import Broker
import Foundation
import Logging
import Testing

@testable import Store

#if canImport(Glibc)
import Glibc
#endif

/// `warren.lock`: one warren per data directory.
@Suite struct DataDirectoryLockTests {
    @Test func secondLockOnTheSameDirectoryIsRefused() throws {
        try withTemporaryDirectory { root in
            let first = try DataDirectoryLock(directory: root)
            #expect(FileManager.default.fileExists(atPath: root + "/warren.lock"))
            do {
                _ = try DataDirectoryLock(directory: root)
                Issue.record("a second lock on \(root) was granted")
            } catch let error as StoreError {
                guard case .locked(let directory) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(directory == root)
                #expect(error.description.contains("is in use by another warren"))
                #expect(error.description.contains(root + "/warren.lock"))
            }
            withExtendedLifetime(first) {}
        }
    }

    @Test func lockIsFreedWhenReleased() throws {
        try withTemporaryDirectory { root in
            do { _ = try DataDirectoryLock(directory: root) }
            let again = try DataDirectoryLock(directory: root)
            withExtendedLifetime(again) {}
        }
    }

    /// The lock is the kernel's (flock), so another process, or another open of the file here,
    /// sees it; it does not depend on the lock file's contents or existence beforehand.
    @Test func lockIsAnFlockOthersCanSee() throws {
        try withTemporaryDirectory { root in
            try Data("stale contents".utf8).write(to: URL(fileURLWithPath: root + "/warren.lock"))
            let held = try DataDirectoryLock(directory: root)
            let descriptor = open(root + "/warren.lock", O_RDWR)
            #expect(descriptor >= 0)
            defer { close(descriptor) }
            #expect(flock(descriptor, LOCK_EX | LOCK_NB) == -1)
            #expect(errno == EWOULDBLOCK)
            withExtendedLifetime(held) {}
            // Lock held elsewhere (here: another descriptor) also refuses warren.
        }
    }

    @Test func lockHeldByAnotherDescriptorRefusesWarren() throws {
        try withTemporaryDirectory { root in
            let descriptor = open(root + "/warren.lock", O_RDWR | O_CREAT, 0o644)
            #expect(descriptor >= 0)
            defer { close(descriptor) }
            #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
            #expect(throws: StoreError.self) { try DataDirectoryLock(directory: root) }
            flock(descriptor, LOCK_UN)
            let lock = try DataDirectoryLock(directory: root)
            withExtendedLifetime(lock) {}
        }
    }

    @Test func missingDirectoryIsAnIOError() {
        do {
            _ = try DataDirectoryLock(directory: "/tmp/warren-storetests-does-not-exist/sub")
            Issue.record("locked a directory that does not exist")
        } catch let error as StoreError {
            guard case .io(let what, let code) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(what.contains("warren.lock"))
            #expect(code == ENOENT)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func storeOpenRefusesALockedDirectory() async throws {
        try await withTemporaryDirectory { root in
            let store = try await Store.open(directory: root, logger: Logger(label: "storetests"))
            await #expect(throws: StoreError.self) {
                _ = try await Store.open(directory: root, logger: Logger(label: "storetests"))
            }
            withExtendedLifetime(store) {}
        }
    }
}

/// `definitions.json`: written whole or not at all.
@Suite struct DefinitionsFileTests {
    @Test func readIsNilBeforeAnyWrite() throws {
        try withTemporaryDirectory { root in
            let data = try DefinitionsFile(directory: root).read()
            #expect(data == nil)
        }
    }

    @Test func writeThenRead() throws {
        try withTemporaryDirectory { root in
            let file = DefinitionsFile(directory: root)
            #expect(file.path == root + "/definitions.json")
            let data = Data(#"{"queues":[{"name":"q"}]}"#.utf8)
            try file.write(data)
            #expect(try file.read() == data)
            #expect(try DefinitionsFile(directory: root).read() == data)
        }
    }

    @Test func rewriteReplacesTheWholeFileAndLeavesNoTemporary() throws {
        try withTemporaryDirectory { root in
            let file = DefinitionsFile(directory: root)
            try file.write(Data(String(repeating: "long old contents ", count: 1000).utf8))
            let short = Data("{}".utf8)
            try file.write(short)
            #expect(try file.read() == short)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["definitions.json"])
        }
    }

    /// A crash between writing the temporary file and renaming it leaves the old file in force.
    @Test func leftoverTemporaryDoesNotReplaceTheFile() throws {
        try withTemporaryDirectory { root in
            let file = DefinitionsFile(directory: root)
            let old = Data("old".utf8)
            try file.write(old)
            try Data("half-writ".utf8).write(to: URL(fileURLWithPath: file.path + ".tmp"))
            #expect(try file.read() == old)
            let new = Data("new".utf8)
            try file.write(new)
            #expect(try file.read() == new)
            #expect(!FileManager.default.fileExists(atPath: file.path + ".tmp"))
        }
    }

    /// The rename is what replaces the file: a reader holding the old file keeps the old bytes.
    @Test func replacementIsARenameNotAnInPlaceRewrite() throws {
        try withTemporaryDirectory { root in
            let file = DefinitionsFile(directory: root)
            try file.write(Data("first".utf8))
            let reader = open(file.path, O_RDONLY)
            #expect(reader >= 0)
            defer { close(reader) }
            try file.write(Data("second, longer".utf8))
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = read(reader, &buffer, buffer.count)
            #expect(Array(buffer[..<max(0, count)]) == Array("first".utf8))
            #expect(try file.read() == Data("second, longer".utf8))
        }
    }

    @Test func writeIntoAMissingDirectoryFails() {
        let file = DefinitionsFile(directory: "/tmp/warren-storetests-does-not-exist/sub")
        #expect(throws: StoreError.self) { try file.write(Data("{}".utf8)) }
    }

    /// The broker's definitions, in RabbitMQ's export shape, round-trip through the file.
    @Test func brokerDefinitionsRoundTrip() throws {
        try withTemporaryDirectory { root in
            let exported = Data("""
                {"vhosts": [{"name": "/"}, {"name": "logs"}],
                 "exchanges": [{"vhost": "/", "name": "dx", "type": "topic", "durable": true, "auto_delete": false,
                                "internal": false, "arguments": {}}],
                 "queues": [{"vhost": "logs", "name": "q", "durable": true, "auto_delete": false,
                             "arguments": {"x-max-length": 10}}],
                 "bindings": [{"vhost": "/", "source": "dx", "destination": "q", "destination_type": "queue",
                               "routing_key": "a.*", "arguments": {}}]}
                """.utf8)
            let definitions = try JSONDecoder().decode(Definitions.self, from: exported)
            #expect(definitions.queues.first?.arguments.table["x-max-length"] == .int64(10))
            let file = DefinitionsFile(directory: root)
            try file.write(try JSONEncoder().encode(definitions))
            let data = try #require(try file.read())
            #expect(try JSONDecoder().decode(Definitions.self, from: data) == definitions)
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let binding = try #require((json["bindings"] as? [[String: Any]])?.first)
            #expect(binding["destination_type"] as? String == "queue")
            #expect(binding["routing_key"] as? String == "a.*")
            #expect((json["queues"] as? [[String: Any]])?.first?["auto_delete"] as? Bool == false)
        }
    }
}
