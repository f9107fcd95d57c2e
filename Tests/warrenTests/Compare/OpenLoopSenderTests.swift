import Testing

@testable import warren

/// The open-loop schedule: every message is due at start + i/rate, and none is sent before it is due.
struct OpenLoopSenderTests {
    @Test func everyMessageIsSentOnceAtOrAfterItsDueTime() async throws {
        let sender = OpenLoopSender(rate: 2000, seconds: 0.05)
        #expect(sender.total == 100)
        var due: [UInt64] = []
        var late = 0
        _ = try await sender.run { stamps in
            let now = MessageStamp.now()
            late += stamps.filter { $0 > now }.count
            due += stamps
        }
        #expect(due.count == 100)
        #expect(late == 0)
        let gaps = zip(due.dropFirst(), due).map { $0 - $1 }
        #expect(gaps.allSatisfy { (499_000...501_000).contains($0) })
    }

    @Test func aSlowSendCollectsWhatFellDueMeanwhileIntoOneBatch() async throws {
        var batches: [Int] = []
        _ = try await OpenLoopSender(rate: 10_000, seconds: 0.1, maxBatch: 1000).run { stamps in
            batches.append(stamps.count)
            if batches.count == 1 { try await Task.sleep(for: .milliseconds(30)) }
        }
        // 300 messages fall due during the sleep; they go out together, not one send each (however
        // late a loaded machine starts the first send, the batches stay far fewer than the messages).
        #expect(batches.reduce(0, +) == 1000)
        #expect(batches.contains { $0 >= 100 })
    }
}
