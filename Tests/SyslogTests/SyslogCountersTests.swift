import MetricsTestKit
import Testing

@testable import Syslog

/// The per-listener counters and their swift-metrics export.
@Suite struct SyslogCountersTests {
    @Test func aBurstAdvancesTheAtomicsAndTheMetricsOnce() throws {
        let metrics = TestMetrics()
        let counters = SyslogCounters(listener: "udp://127.0.0.1:5514", factory: metrics)
        var tally = SyslogTally()
        tally.count(LogEntry(facility: .kern, severity: .critical, message: "ok"))
        tally.count(LogEntry(facility: .user, severity: .notice, message: "repaired", repaired: true))
        tally.dropped += 1
        tally.published = 2
        counters.add(tally)
        counters.add(SyslogTally(received: 1, published: 1))

        #expect(counters.received.load(ordering: .relaxed) == 3)
        #expect(counters.published.load(ordering: .relaxed) == 3)
        #expect(counters.repaired.load(ordering: .relaxed) == 1)
        #expect(counters.dropped.load(ordering: .relaxed) == 1)
        #expect(counters.receivedBySeverity == [0, 0, 1, 0, 0, 1, 0, 0])  // critical and notice
        let dimensions = [("listener", "udp://127.0.0.1:5514")]
        #expect(try metrics.expectCounter("warren_syslog_entries_received_total", dimensions).values == [2, 1])
        #expect(try metrics.expectCounter("warren_syslog_entries_published_total", dimensions).totalValue == 3)
        #expect(try metrics.expectCounter("warren_syslog_entries_repaired_total", dimensions).values == [1])
        #expect(try metrics.expectCounter("warren_syslog_entries_dropped_total", dimensions).values == [1])
        tally.reset()
        tally.count(LogEntry(facility: .kern, severity: .debug, message: "after reset"))
        counters.add(tally)
        #expect(counters.receivedBySeverity == [0, 0, 1, 0, 0, 1, 0, 1])
    }

    @Test func listenerNamesBracketIPv6() {
        let v4 = SyslogListenerConfiguration(host: "127.0.0.1", udpPort: 5514, tcpPort: 0)
        let v6 = SyslogListenerConfiguration(host: "::1", udpPort: 0, tcpPort: 6514)
        #expect(v4.listenerName(protocol: "udp", port: 5514) == "udp://127.0.0.1:5514")
        #expect(v6.listenerName(protocol: "tcp", port: 6514) == "tcp://[::1]:6514")
    }
}
