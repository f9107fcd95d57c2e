import AMQPClient
import Testing
import Upstream

/// Every value of an upstream is checked, and the error names its key.
@Suite struct UpstreamConfigurationTests {
    private func valid() throws -> UpstreamConfiguration {
        UpstreamConfiguration(name: "central", nodes: try UpstreamNodes.parse("amqp://a,b/"))
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let upstream = try valid()
        try upstream.validate(section: "upstreams[0]")
        #expect(upstream.exchange == "topic_logs" && upstream.upstreamExchange == "topic_logs" && upstream.patterns == ["#"])
        #expect(upstream.upstreamQueueType == "quorum" && upstream.window == 1000 && upstream.upstreamQueue == nil)
        #expect(upstream.queueName == "warren.upstream.central" && upstream.deadLetterQueueName == "warren.upstream.central.dead")
    }

    @Test(arguments: [
        ("window", { (u: inout UpstreamConfiguration) in u.window = 0 }),
        ("window", { (u: inout UpstreamConfiguration) in u.window = Int.max }),
        ("window", { (u: inout UpstreamConfiguration) in u.window = -1 }),
        ("max-retries", { (u: inout UpstreamConfiguration) in u.maxRetries = -1 }),
        ("reconnect-min-ms", { (u: inout UpstreamConfiguration) in u.reconnectMinMilliseconds = Int.min }),
        ("reconnect-max-ms", { (u: inout UpstreamConfiguration) in u.reconnectMaxMilliseconds = Int.max }),
        ("reconnect-min-ms", { (u: inout UpstreamConfiguration) in u.reconnectMinMilliseconds = 60_000 }),
        ("name", { (u: inout UpstreamConfiguration) in u.name = "" }),
        ("name", { (u: inout UpstreamConfiguration) in u.name = "a/b" }),
        ("uris", { (u: inout UpstreamConfiguration) in u.nodes = [] }),
        ("patterns", { (u: inout UpstreamConfiguration) in u.patterns = [] }),
        ("exchange", { (u: inout UpstreamConfiguration) in u.exchange = "" }),
        ("upstream-exchange", { (u: inout UpstreamConfiguration) in u.upstreamExchange = String(repeating: "x", count: 256) }),
        ("upstream-queue", { (u: inout UpstreamConfiguration) in u.upstreamQueue = "" }),
        ("upstream-queue-type", { (u: inout UpstreamConfiguration) in u.upstreamQueueType = "lazy" }),
    ] as [(String, @Sendable (inout UpstreamConfiguration) -> Void)])
    func badValuesAreRefusedNamingTheKey(key: String, change: @Sendable (inout UpstreamConfiguration) -> Void) throws {
        var upstream = try valid()
        change(&upstream)
        do {
            try upstream.validate(section: "upstreams[2]")
            Issue.record("accepted a bad \(key)")
        } catch {
            #expect(error.description.contains("upstreams[2].\(key)"))
        }
    }

    @Test func commandLineUpstreamsAreNamedDefaultThenNumbered() {
        #expect(UpstreamConfiguration.commandLineNames(count: 3) == ["default", "default-2", "default-3"])
        #expect(UpstreamConfiguration.commandLineNames(count: -5).isEmpty)
    }
}
