import NIOSSL
import X509

/// Which part of a verified client certificate is the user name for SASL EXTERNAL, as RabbitMQ's
/// `ssl_cert_login_from`, `ssl_cert_login_san_type` and `ssl_cert_login_san_index` choose it.
public struct CertificateLogin: Sendable, Equatable {
    /// `ssl_cert_login_from`.
    public enum Source: String, Sendable, CaseIterable {
        /// The subject's CN (several are joined with ",", as RabbitMQ does).
        case commonName = "common_name"
        /// The whole subject in RFC 4514 form, most specific first: `CN=alice,O=example`.
        case distinguishedName = "distinguished_name"
        /// One subject alternative name of `sanType`, the `sanIndex`-th of that type.
        case subjectAlternativeName = "subject_alternative_name"
    }

    /// `ssl_cert_login_san_type`.
    public enum SANType: String, Sendable, CaseIterable {
        case dns
        case email
        case uri
    }

    public var source: Source
    public var sanType: SANType
    public var sanIndex: Int

    public init(source: Source = .commonName, sanType: SANType = .dns, sanIndex: Int = 0) {
        self.source = source
        self.sanType = sanType
        self.sanIndex = sanIndex
    }

    /// The user name this certificate carries, or nil when it has none of the chosen kind.
    public func username(in certificate: NIOSSLCertificate) -> String? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        return username(in: parsed)
    }

    func username(in certificate: Certificate) -> String? {
        switch source {
        case .commonName:
            let names = certificate.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.compactMap { String($0.value) }
            return names.isEmpty ? nil : names.joined(separator: ",")
        case .distinguishedName:
            let text = certificate.subject.description
            return text.isEmpty ? nil : text
        case .subjectAlternativeName:
            guard let names = try? certificate.extensions.subjectAlternativeNames else { return nil }
            let matching = names.compactMap(value(ofType:))
            return matching.indices.contains(sanIndex) ? matching[sanIndex] : nil
        }
    }

    private func value(ofType name: GeneralName) -> String? {
        switch (sanType, name) {
        case (.dns, .dnsName(let value)), (.email, .rfc822Name(let value)), (.uri, .uniformResourceIdentifier(let value)):
            return value
        default:
            return nil
        }
    }
}
