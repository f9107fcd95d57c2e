import NIOCore
import NIOEmbedded
import Testing

@testable import AMQPClient

/// A server silent for two heartbeat intervals is given up on; one that keeps talking is not.
@Suite struct SilenceWatchTests {
    private func connectedChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: SilenceWatch(heartbeatSeconds: 5))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5672)).wait()
        return channel
    }

    @Test func silenceForTwoIntervalsClosesTheConnection() throws {
        let channel = try connectedChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(!channel.isActive)
        #expect(throws: SilenceError.self) { try channel.throwIfErrorCaught() }
    }

    @Test func bytesFromTheServerKeepItOpen() throws {
        let channel = try connectedChannel()
        for _ in 0..<10 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(4))
            try channel.writeInbound(ByteBuffer(bytes: [8, 0, 0, 0, 0, 0, 0, 0xCE]))
            _ = try channel.readInbound(as: ByteBuffer.self)
        }
        #expect(channel.isActive)
        _ = try channel.finish()
    }
}
