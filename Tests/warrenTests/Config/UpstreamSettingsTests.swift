import Foundation
import Testing

@testable import warren

/// `[[upstreams]]` and `--upstream`: defaults, both key spellings, names, and errors that name the key.
struct UpstreamSettingsTests {
    private func settings(_ toml: String) throws -> ServeSettings {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-\(UUID().uuidString).toml").path
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var settings = ServeSettings()
        try settings.apply(ConfigFile.load(path: path))
        return settings
    }

    @Test func hyphenAndUnderscoreKeysAndDefaults() throws {
        let upstreams = try settings("""
            [[upstreams]]
            name = "central"
            uris = ["amqp://u:p@a:5672,b:5673/logs", "amqp://u:p@c/logs"]
            upstream-exchange = "central_logs"
            max_retries = 7
            """).upstreams
        #expect(upstreams.count == 1)
        let upstream = try #require(upstreams.first)
        #expect(upstream.nodes.map(\.host) == ["a", "b", "c"] && upstream.nodes.map(\.port) == [5672, 5673, 5672])
        #expect(upstream.upstreamExchange == "central_logs" && upstream.maxRetries == 7)
        #expect(upstream.exchange == "topic_logs" && upstream.patterns == ["#"] && upstream.window == 1000)
    }

    @Test(arguments: [
        ("window = 0", "upstreams[0].window"),
        ("window = 9223372036854775807", "upstreams[0].window"),
        ("max-retries = -1", "upstreams[0].max-retries"),
        ("patterns = []", "upstreams[0].patterns"),
        ("upstream-queue-type = \"lazy\"", "upstreams[0].upstream-queue-type"),
        ("reconnect-min-ms = -5", "upstreams[0].reconnect-min-ms"),
    ])
    func badValuesNameTheirKey(line: String, key: String) {
        do {
            _ = try settings("[[upstreams]]\nuris = [\"amqp://a/\"]\n\(line)\n")
            Issue.record("accepted \(line)")
        } catch {
            #expect("\(error)".contains(key))
        }
    }

    @Test func anEmptyURIListAndDuplicateNamesAreRefused() {
        #expect(throws: ConfigError.self) { try settings("[[upstreams]]\nuris = []\n") }
        #expect(throws: ConfigError.self) {
            try settings("[[upstreams]]\nname = \"x\"\nuris = [\"amqp://a/\"]\n[[upstreams]]\nname = \"x\"\nuris = [\"amqp://b/\"]\n")
        }
    }

    @Test func flagsAreNamedDefaultThenNumberedAndReplaceTheConfigsOfTheSameName() throws {
        var settings = try settings("[[upstreams]]\nuris = [\"amqp://file/\"]\n")
        try settings.applyUpstreamFlags(["amqp://one/", "amqp://two/"], queue: "logs")
        #expect(settings.upstreams.map(\.name) == ["default", "default-2"])
        #expect(settings.upstreams.map { $0.nodes[0].host } == ["one", "two"])
        #expect(settings.upstreams.allSatisfy { $0.upstreamQueue == "logs" })
        var alone = ServeSettings()
        do {
            try alone.applyUpstreamFlags([], queue: "logs")
            Issue.record("--upstream-queue without --upstream was accepted")
        } catch {
            #expect("\(error)".contains("--upstream-queue needs --upstream"))
        }
    }
}
