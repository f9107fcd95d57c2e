import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import Broker
@testable import Store

/// StorePersistence restores the recovered messages after paging is configured, so a backlog past
/// a queue's memory limit comes back paged, not whole in memory.
@Suite struct RestoreMessagesTests {
    /// What a restored queue holds: its messages, how many of them are paged, and its memory.
    struct Restored: Sendable {
        var messages: Int
        var paged: Int
        var memory: Int
    }

    private func restore(_ root: String, queueMemoryLimit: Int) async throws -> Restored {
        let store = try await Store.open(directory: root, logger: Logger(label: "storetests"))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let restored = try await loop.submit {
            let broker = Broker()
            let persistence = try StorePersistence.open(into: broker, store: store, brokerLoop: loop, logger: Logger(label: "storetests"))
            let pager = try PageFiles(directory: root + "/paging", logger: Logger(label: "storetests")) { [weak persistence] id in
                persistence?.segmentPath(of: id)
            }
            broker.configurePaging(pager, queueMemoryLimit: queueMemoryLimit)
            try persistence.restoreMessages(into: broker, logger: Logger(label: "storetests"))
            let queue = try #require(broker.vhost("/")?.queues["q"])
            return Restored(messages: queue.messageCount, paged: queue.pagedCount, memory: queue.readyBytes)
        }.get()
        try await group.shutdownGracefully()
        return restored
    }

    @Test func aBacklogPastTheMemoryLimitComesBackPaged() async throws {
        try await withTemporaryDirectory { root in
            var definitions = Definitions()
            definitions.vhosts = [.init(name: "/")]
            definitions.queues = [.init(vhost: "/", name: "q", durable: true, autoDelete: false, arguments: JSONFieldTable([:]))]
            try StorePersistence.encode(definitions).write(to: URL(fileURLWithPath: root + "/definitions.json"))
            let records = (UInt64(1)...300).map { bigPublish($0, size: 1_000, queues: ["q"]) }
            try writeSegment(1, Array(records[..<150]), in: messagesDirectory(root))
            try writeSegment(2, Array(records[150...]), in: messagesDirectory(root))
            let restored = try await restore(root, queueMemoryLimit: 20_000)
            #expect(restored.messages == 300)
            #expect(restored.paged > 280, "restored whole, then paging turned on: \(restored.paged) paged")
            #expect(restored.memory < 20_000 + 300 * 64)
        }
    }
}
