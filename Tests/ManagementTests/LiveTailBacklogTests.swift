import Hummingbird
import Testing

@testable import Management

/// A slow live-tail page keeps the newest events within the byte limit and is told how many it lost.
@Suite struct LiveTailBacklogTests {
    @Test func keepsTheNewestEventsAndCountsTheDropped() {
        var backlog = LiveTailBacklog(limit: 10)
        for text in ["aaaa", "bbbb", "cccc", "dddd"] { backlog.append(ByteBuffer(string: text)) }
        let (events, dropped) = backlog.takeAll()
        #expect(String(buffer: events) == "ccccdddd")
        #expect(dropped == 2)
        let (next, droppedSince) = backlog.takeAll()
        #expect(next.readableBytes == 0)
        #expect(droppedSince == 0)
    }

    @Test func anEventLargerThanTheLimitIsStillSent() {
        var backlog = LiveTailBacklog(limit: 2)
        backlog.append(ByteBuffer(string: "small"))
        backlog.append(ByteBuffer(string: "much larger"))
        let (events, dropped) = backlog.takeAll()
        #expect(String(buffer: events) == "much larger")
        #expect(dropped == 1)
    }
}
