import TLS

/// The TLS contexts of `warren serve`'s listeners, loaded before anything binds so a missing or
/// mismatched file stops the start with a clear message; SIGHUP reloads them all.
struct TLSContexts {
    /// A TLS listener's port and the context its handshakes use.
    struct Listener {
        var port: Int
        var tls: ServerTLS
    }

    var amqps: Listener?
    var https: Listener?
    /// Shared by every `protocol = "tls"` syslog listener.
    var syslog: ServerTLS?

    init(_ settings: ServeSettings) throws(TLSSetupError) {
        amqps = try settings.amqps.map { listener throws(TLSSetupError) in
            Listener(port: listener.port, tls: try Self.load(listener.tls, section: "amqp.tls",
                                                             name: "AMQPS \(settings.bind):\(listener.port)"))
        }
        https = try settings.https.map { listener throws(TLSSetupError) in
            Listener(port: listener.port, tls: try Self.load(listener.tls, section: "http.tls",
                                                             name: "HTTPS \(settings.bind):\(listener.port)"))
        }
        syslog = try settings.syslog.tls.map { tls throws(TLSSetupError) in try Self.load(tls, section: "syslog.tls", name: "syslog TLS") }
    }

    var all: [ServerTLS] { [amqps?.tls, https?.tls, syslog].compactMap { $0 } }

    private static func load(_ settings: TLSSettings, section: String, name: String) throws(TLSSetupError) -> ServerTLS {
        do throws(TLSSetupError) {
            return try ServerTLS(settings: settings, listener: name)
        } catch {
            throw error.inSection(section)
        }
    }
}
