import AMQPServer
import Dispatch
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import Syslog

/// A syslog TCP connection whose read bursts wait for a busy broker stops being read, so intake
/// cannot queue work on the broker's loop without bound (it once held up consumers for seconds).
@Suite struct BrokerHandOffTests {
    @Test func twoBurstsWaitingForTheBrokerStopReadingUntilOneIsRouted() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let runtime = try await BrokerRuntime.start(on: group.next(), vhosts: ["/"])
        let channel = try await NIOAsyncTestingChannel { channel in
            let configuration = SyslogListenerConfiguration(host: "127.0.0.1", udpPort: 0, tcpPort: 0)
            try channel.pipeline.syncOperations.addHandler(
                SyslogTCPHandler(configuration: configuration, runtime: runtime, counters: SyslogCounters(listener: "test"),
                                 slots: SyslogConnectionSlots(listener: "test", limit: 1), logger: Logger(label: "test")))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 514))
        let brokerBusy = DispatchSemaphore(value: 0)
        runtime.eventLoop.execute { brokerBusy.wait() }
        var reading: [Bool] = []
        for burst in 1...2 {
            try await channel.writeInbound(ByteBuffer(string: "<13>burst \(burst)\n"))
            reading.append(channel.autoRead)
        }
        brokerBusy.signal()
        try await runtime.eventLoop.submit {}.get()  // after the two bursts, which were queued first
        await channel.testingEventLoop.run()  // their `routed` callbacks, on the connection's loop
        reading.append(channel.autoRead)
        #expect(reading == [true, false, true])
        _ = try await channel.finish()
        try await group.shutdownGracefully()
    }
}

extension NIOAsyncTestingChannel {
    /// The last `autoRead` a handler set (a testing channel's `getOption` always says true).
    fileprivate var autoRead: Bool {
        options.last { $0.option is ChannelOptions.Types.AutoReadOption }?.value as? Bool ?? true
    }
}
