import AMQPClient
import Upstream

extension ServeSettings {
    /// Takes the config file's `[[upstreams]]`, each checked, names unique.
    mutating func applyUpstreams(_ sections: [UpstreamSection]) throws {
        do throws(UpstreamConfigError) {
            for (index, section) in sections.enumerated() {
                try addUpstream(section.configuration(index: index, logExchange: logExchange), key: "upstreams[\(index)].name")
            }
        } catch {
            throw ConfigError(error.description)
        }
    }

    /// Takes `--upstream` flags: the first is named `default`, the next `default-2`, `default-3`, …;
    /// one replaces a config-file upstream of the same name. `queue` (`--upstream-queue`) is
    /// declared on every one of them.
    mutating func applyUpstreamFlags(_ uris: [String], queue: String?) throws {
        do throws(UpstreamConfigError) {
            for (uri, name) in zip(uris, UpstreamConfiguration.commandLineNames(count: uris.count)) {
                var upstream = UpstreamConfiguration(name: name, nodes: try UpstreamNodes.parse(uri))
                upstream.exchange = logExchange
                upstream.upstreamExchange = logExchange
                upstream.upstreamQueue = queue
                try upstream.validate(section: "--upstream")
                upstreams.removeAll { $0.name == name }
                try addUpstream(upstream, key: "--upstream")
            }
            if queue != nil, uris.isEmpty { throw UpstreamConfigError("--upstream-queue needs --upstream") }
        } catch {
            throw ConfigError(error.description)
        }
    }

    private mutating func addUpstream(_ upstream: UpstreamConfiguration, key: String) throws(UpstreamConfigError) {
        guard !upstreams.contains(where: { $0.name == upstream.name }) else {
            throw UpstreamConfigError("\(key): a second upstream is named '\(upstream.name)'; names must be unique")
        }
        upstreams.append(upstream)
    }
}
