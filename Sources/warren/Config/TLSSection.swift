import TLS

extension ConfigFile {
    /// `[amqp.tls]`, `[http.tls]`, `[syslog.tls]`: a listener's certificate, key, CA and policy.
    /// `verify` takes warren's names (`none`, `optional`, `required`) or RabbitMQ's (`verify_none`,
    /// `verify_peer`, the latter made `required` by `fail_if_no_peer_cert = true`).
    struct TLSSection: Decodable, Equatable {
        var port: Int?
        var certificateChainFile: String?
        var privateKeyFile: String?
        var caFile: String?
        var minVersion: String?
        var verify: String?
        var handshakeTimeout: Int?
        var failIfNoPeerCert: Bool?
        var sslCertLoginFrom: String?
        var sslCertLoginSanType: String?
        var sslCertLoginSanIndex: Int?

        enum CodingKeys: String, CodingKey {
            case port, verify
            case certificateChainFile = "certificate_chain_file"
            case privateKeyFile = "private_key_file"
            case caFile = "ca_file"
            case minVersion = "min_version"
            case handshakeTimeout = "handshake_timeout"
            case failIfNoPeerCert = "fail_if_no_peer_cert"
            case sslCertLoginFrom = "ssl_cert_login_from"
            case sslCertLoginSanType = "ssl_cert_login_san_type"
            case sslCertLoginSanIndex = "ssl_cert_login_san_index"
        }

        /// The listener settings these keys give; `section` names the table in errors.
        func settings(section: String) throws -> TLSSettings {
            guard let certificateChainFile, let privateKeyFile else {
                throw ConfigError("\(section) needs certificate_chain_file and private_key_file")
            }
            let minimum = try Self.choice(minVersion ?? "1.2", TLSSettings.MinimumVersion.self, key: "\(section).min_version")
            var settings = TLSSettings(certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile, caFile: caFile,
                                       minimumVersion: minimum, verification: try verification(section: section))
            if let handshakeTimeout {
                settings.handshakeTimeoutMilliseconds = try ServeSettings.ranged(handshakeTimeout, 1...86_400_000,
                                                                                 key: "\(section).handshake_timeout")
            }
            return settings
        }

        private func verification(section: String) throws -> TLSSettings.PeerVerification {
            let word = verify ?? "none"
            let required = failIfNoPeerCert ?? false
            switch word {
            case "verify_none": return .none
            case "verify_peer": return required ? .required : .optional
            default:
                let mode = try Self.choice(word, TLSSettings.PeerVerification.self, key: "\(section).verify")
                return mode == .optional && required ? .required : mode
            }
        }

        /// Refuses keys this table has no use for (`ssl_cert_login_*` outside `[amqp.tls]`, `port` in
        /// `[syslog.tls]`), so a setting that would do nothing is not silently ignored.
        func refuseUnused(section: String, portUsed: Bool) throws {
            if !portUsed, port != nil {
                throw ConfigError("\(section).port has no effect: the listeners using [\(section)] each have their own port")
            }
            if sslCertLoginFrom != nil || sslCertLoginSanType != nil || sslCertLoginSanIndex != nil {
                throw ConfigError("\(section): the ssl_cert_login_* keys have no effect there; only [amqp.tls] logs users in with certificates")
            }
        }

        /// `ssl_cert_login_from` and its SAN keys (only `[amqp.tls]` uses them).
        func certificateLogin(section: String) throws -> CertificateLogin {
            var login = CertificateLogin()
            if let sslCertLoginFrom {
                login.source = try Self.choice(sslCertLoginFrom, CertificateLogin.Source.self, key: "\(section).ssl_cert_login_from")
            }
            if let sslCertLoginSanType {
                login.sanType = try Self.choice(sslCertLoginSanType, CertificateLogin.SANType.self,
                                                key: "\(section).ssl_cert_login_san_type")
            }
            if let sslCertLoginSanIndex {
                login.sanIndex = try ServeSettings.ranged(sslCertLoginSanIndex, 0...1024, key: "\(section).ssl_cert_login_san_index")
            }
            return login
        }

        private static func choice<T: RawRepresentable & CaseIterable>(_ word: String, _: T.Type, key: String) throws -> T
            where T.RawValue == String {
            guard let value = T(rawValue: word) else {
                let words = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw ConfigError("\(key) must be one of \(words), got \"\(word)\"")
            }
            return value
        }
    }
}

/// A TLS listener's port and settings, as resolved from its section.
struct TLSListenerSettings: Equatable {
    var port: Int
    var tls: TLSSettings
}

extension TLSListenerSettings {
    /// The listener a `[… .tls]` section describes, with `defaultPort` when it names none (0 disables it).
    init?(_ section: ConfigFile.TLSSection?, name: String, defaultPort: Int) throws {
        guard let section else { return nil }
        let port = try ServeSettings.port(section.port, key: "\(name).port") ?? defaultPort
        guard port != 0 else { return nil }
        self.init(port: port, tls: try section.settings(section: name))
    }
}
