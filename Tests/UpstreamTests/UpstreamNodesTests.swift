import AMQPClient
import Testing
import Upstream

/// Node-list URIs: `amqp[s]://user:pass@host1:port1,host2:port2/vhost`, and what they refuse.
@Suite struct UpstreamNodesTests {
    @Test func everyNodeSharesCredentialsVhostAndTLS() throws {
        let nodes = try UpstreamNodes.parse("amqps://alice:p%40ss@rmq-a:5671,rmq-b:5672,rmq-c/logs?verify=verify_none")
        #expect(nodes.map(\.host) == ["rmq-a", "rmq-b", "rmq-c"])
        #expect(nodes.map(\.port) == [5671, 5672, 5671])
        #expect(nodes.allSatisfy { $0.user == "alice" && $0.password == "p@ss" && $0.vhost == "logs" && $0.tls?.verifyPeer == false })
    }

    @Test func oneNodeIsAListOfOne() throws {
        let nodes = try UpstreamNodes.parse("amqp://127.0.0.1:5673")
        #expect(nodes.count == 1 && nodes[0].port == 5673 && nodes[0].vhost == "/" && nodes[0].user == "guest")
    }

    @Test(arguments: [
        "", "http://host", "amqp://", "amqp://a,,b/", "amqp://a,/", "amqp://,a/", "amqp://user:pw@/x",
        "amqp://host:0/", "amqp://host:70000/", "amqp://host:-1/", "amqp://ho st/", "amqp://host:99999999999999999999999/",
    ])
    func hostileURIsAreRefused(text: String) {
        #expect(throws: UpstreamConfigError.self) { try UpstreamNodes.parse(text) }
    }

    @Test func absurdlyLongOrWideURIsAreRefused() {
        #expect(throws: UpstreamConfigError.self) { try UpstreamNodes.parse("amqp://" + String(repeating: "a", count: 5000)) }
        let hosts = (0...UpstreamNodes.maxNodes).map { "h\($0)" }.joined(separator: ",")
        #expect(throws: UpstreamConfigError.self) { try UpstreamNodes.parse("amqp://\(hosts)/") }
    }

    @Test func errorsDoNotRepeatThePassword() {
        do {
            _ = try UpstreamNodes.parse("amqp://alice:topsecret@a,,b/")
            Issue.record("accepted an empty host")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }
}
