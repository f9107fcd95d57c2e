import AMQPClient
import Upstream

/// `[[upstreams]]`: one RabbitMQ cluster to forward to (Docs/upstreams.md). Keys are written with
/// hyphens (`upstream-exchange`); the underscore spelling of the rest of the file is accepted too.
struct UpstreamSection: Decodable, Equatable {
    var name: String?
    var uris: [String]?
    var exchange: String?
    var patterns: [String]?
    var upstreamExchange: String?
    var upstreamQueue: String?
    var upstreamQueueType: String?
    var window: Int?
    var maxRetries: Int?
    var reconnectMinMilliseconds: Int?
    var reconnectMaxMilliseconds: Int?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        func value<T: Decodable>(_ name: String) throws -> T? {
            for spelling in [name, name.replacingOccurrences(of: "-", with: "_")] {
                if let found = try container.decodeIfPresent(T.self, forKey: Key(stringValue: spelling)) { return found }
            }
            return nil
        }
        name = try value("name")
        uris = try value("uris")
        exchange = try value("exchange")
        patterns = try value("patterns")
        upstreamExchange = try value("upstream-exchange")
        upstreamQueue = try value("upstream-queue")
        upstreamQueueType = try value("upstream-queue-type")
        window = try value("window")
        maxRetries = try value("max-retries")
        reconnectMinMilliseconds = try value("reconnect-min-ms")
        reconnectMaxMilliseconds = try value("reconnect-max-ms")
    }

    /// The checked configuration; `index` names the entry in errors (`upstreams[0]`); `exchange`
    /// defaults to the log exchange.
    func configuration(index: Int, logExchange: String) throws(UpstreamConfigError) -> UpstreamConfiguration {
        let section = "upstreams[\(index)]"
        guard let uris, !uris.isEmpty else { throw UpstreamConfigError("\(section).uris must name at least one node URI") }
        var nodes: [[AMQPURL]] = []
        for uri in uris { nodes.append(try UpstreamNodes.parse(uri)) }
        var upstream = UpstreamConfiguration(name: name ?? (index == 0 ? "default" : "default-\(index + 1)"),
                                             nodes: nodes.flatMap { $0 })
        guard upstream.nodes.count <= UpstreamNodes.maxNodes else {
            throw UpstreamConfigError("\(section).uris name \(upstream.nodes.count) nodes, at most \(UpstreamNodes.maxNodes) are allowed")
        }
        upstream.exchange = exchange ?? logExchange
        upstream.patterns = patterns ?? upstream.patterns
        upstream.upstreamExchange = upstreamExchange ?? upstream.exchange
        upstream.upstreamQueue = upstreamQueue
        upstream.upstreamQueueType = upstreamQueueType ?? upstream.upstreamQueueType
        upstream.window = window ?? upstream.window
        upstream.maxRetries = maxRetries ?? upstream.maxRetries
        upstream.reconnectMinMilliseconds = reconnectMinMilliseconds ?? upstream.reconnectMinMilliseconds
        upstream.reconnectMaxMilliseconds = reconnectMaxMilliseconds ?? upstream.reconnectMaxMilliseconds
        try upstream.validate(section: section)
        return upstream
    }
}
