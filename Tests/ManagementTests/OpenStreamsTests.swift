import NIOCore
import Testing

@testable import Management

/// At most `limit` live-tail streams at once; the ones refused are counted.
@Suite struct OpenStreamsTests {
    @Test func aStreamPastTheLimitIsRefusedAndEndedAtOnce() async {
        let open = OpenStreams(limit: 1)
        let (_, first) = AsyncStream<ByteBuffer>.makeStream()
        #expect(open.admitsAnother())
        let key = open.add(first)
        #expect(key != nil)
        #expect(!open.admitsAnother())
        let (late, second) = AsyncStream<ByteBuffer>.makeStream()
        #expect(open.add(second) == nil)
        for await _ in late { Issue.record("a refused stream yields nothing") }  // returns: it was finished
        #expect(open.counts.open == 1 && open.counts.refused == 2)
        if let key { open.remove(key) }
        #expect(open.admitsAnother())
    }
}
