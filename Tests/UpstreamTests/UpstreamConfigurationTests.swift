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

    /// A valid configuration with one bad value; `case` names the value and is the key the error must name.
    private func spoiled(_ change: String) throws -> UpstreamConfiguration {
        var upstream = try valid()
        switch change {
        case "window=0": upstream.window = 0
        case "window=max": upstream.window = Int.max
        case "window=-1": upstream.window = -1
        case "max-retries=-1": upstream.maxRetries = -1
        case "reconnect-min-ms=min": upstream.reconnectMinMilliseconds = Int.min
        case "reconnect-max-ms=max": upstream.reconnectMaxMilliseconds = Int.max
        case "reconnect-min-ms=above-max": upstream.reconnectMinMilliseconds = 60_000
        case "name=empty": upstream.name = ""
        case "name=slash": upstream.name = "a/b"
        case "uris=empty": upstream.nodes = []
        case "patterns=empty": upstream.patterns = []
        case "exchange=empty": upstream.exchange = ""
        case "upstream-exchange=long": upstream.upstreamExchange = String(repeating: "x", count: 256)
        case "upstream-queue=empty": upstream.upstreamQueue = ""
        case "upstream-queue-type=lazy": upstream.upstreamQueueType = "lazy"
        default: Issue.record("unknown case \(change)")
        }
        return upstream
    }

    @Test(arguments: [
        "window=0", "window=max", "window=-1", "max-retries=-1", "reconnect-min-ms=min", "reconnect-max-ms=max",
        "reconnect-min-ms=above-max", "name=empty", "name=slash", "uris=empty", "patterns=empty", "exchange=empty",
        "upstream-exchange=long", "upstream-queue=empty", "upstream-queue-type=lazy",
    ])
    func badValuesAreRefusedNamingTheKey(change: String) throws {
        let key = String(change.prefix { $0 != "=" })
        let upstream = try spoiled(change)
        do {
            try upstream.validate(section: "upstreams[2]")
            Issue.record("accepted \(change)")
        } catch {
            #expect(error.description.contains("upstreams[2].\(key)"))
        }
    }

    @Test func commandLineUpstreamsAreNamedDefaultThenNumbered() {
        #expect(UpstreamConfiguration.commandLineNames(count: 3) == ["default", "default-2", "default-3"])
        #expect(UpstreamConfiguration.commandLineNames(count: -5).isEmpty)
    }
}
