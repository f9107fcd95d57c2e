import TLS

/// The TLS contexts of `warren serve`'s listeners, loaded before anything binds so a missing or
/// mismatched file stops the start with a clear message; SIGHUP reloads them all.
struct TLSContexts {
    var amqps: ServerTLS?
    var https: ServerTLS?
    var syslog: ServerTLS?

    init(_ settings: ServeSettings) throws(TLSSetupError) {
        amqps = try Self.load(settings.amqps, section: "amqp.tls", listener: "AMQPS", bind: settings.bind)
        https = try Self.load(settings.https, section: "http.tls", listener: "HTTPS", bind: settings.bind)
        if let syslogTLS = settings.syslog.tls {
            do throws(TLSSetupError) {
                syslog = try ServerTLS(settings: syslogTLS, listener: "syslog TLS")
            } catch {
                throw error.inSection("syslog.tls")
            }
        }
    }

    var all: [ServerTLS] { [amqps, https, syslog].compactMap { $0 } }

    private static func load(_ listener: TLSListenerSettings?, section: String, listener name: String,
                             bind: String) throws(TLSSetupError) -> ServerTLS? {
        guard let listener else { return nil }
        do throws(TLSSetupError) {
            return try ServerTLS(settings: listener.tls, listener: "\(name) \(bind):\(listener.port)")
        } catch {
            throw error.inSection(section)
        }
    }
}
