import AMQPClient

/// The node list of an upstream URI: `amqp[s]://user:pass@host1:port1,host2:port2,…/vhost[?query]`
/// names the nodes of one cluster, tried in turn; every node shares the credentials, vhost and
/// TLS query. A plain one-node URI is a list of one.
public enum UpstreamNodes {
    /// Longest URI accepted, and most nodes in one URI.
    public static let maxLength = 4096
    public static let maxNodes = 64

    /// The URI's nodes as one URL each, in the order written; throws on an empty host, an empty
    /// list, too many nodes or anything `AMQPURL` refuses.
    public static func parse(_ text: String) throws(UpstreamConfigError) -> [AMQPURL] {
        guard text.utf8.count <= maxLength else {
            throw UpstreamConfigError("upstream URI is longer than \(maxLength) characters")
        }
        let scheme: Substring
        if text.hasPrefix("amqps://") {
            scheme = "amqps://"
        } else if text.hasPrefix("amqp://") {
            scheme = "amqp://"
        } else {
            throw UpstreamConfigError("upstream URI must start with amqp:// or amqps://, got '\(redacted(text))'")
        }
        let afterScheme = text.dropFirst(scheme.count)
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        let rest = afterScheme[authorityEnd...]
        let userInfo: Substring
        let hostList: Substring
        if let at = authority.lastIndex(of: "@") {
            userInfo = authority[...at]
            hostList = authority[authority.index(after: at)...]
        } else {
            userInfo = ""
            hostList = authority
        }
        let hosts = hostList.split(separator: ",", omittingEmptySubsequences: false)
        guard hosts.count <= maxNodes else {
            throw UpstreamConfigError("upstream URI names \(hosts.count) nodes, at most \(maxNodes) are allowed")
        }
        return try hosts.map { host throws(UpstreamConfigError) in
            guard !host.isEmpty else {
                throw UpstreamConfigError("upstream URI '\(redacted(text))' has an empty host in its node list")
            }
            guard hasValidPort(host) else {
                throw UpstreamConfigError("upstream URI '\(redacted(text))': node '\(host)' has a port outside 1...65535")
            }
            let url: AMQPURL
            do {
                url = try AMQPURL(String(scheme + userInfo + host + rest))
            } catch {
                throw UpstreamConfigError("upstream URI '\(redacted(text))': node '\(host)' is not a valid host[:port]")
            }
            guard (1...65535).contains(url.port) else {
                throw UpstreamConfigError("upstream URI '\(redacted(text))': node '\(host)' has a port outside 1...65535")
            }
            return url
        }
    }

    /// Whether `host[:port]` has no port or a port of 1...65535 (Foundation reads a port too big
    /// for an Int as no port at all, which would silently mean 5672).
    private static func hasValidPort(_ host: Substring) -> Bool {
        let afterAddress = host.lastIndex(of: "]").map { host[host.index(after: $0)...] } ?? host
        guard let colon = afterAddress.lastIndex(of: ":") else { return true }
        let digits = afterAddress[afterAddress.index(after: colon)...]
        guard (1...5).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(digits) else { return false }
        return (1...65535).contains(port)
    }

    /// The URI with its password replaced, for messages.
    static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text.lastIndex(of: "@"), at > schemeEnd.upperBound else {
            return String(text.prefix(200))
        }
        let userInfo = text[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return String(text.prefix(200)) }
        return String((text[..<colon] + ":***" + text[at...]).prefix(200))
    }
}
