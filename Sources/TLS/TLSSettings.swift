import Foundation
import NIOCore
import NIOSSL

/// One listener's TLS configuration as the config file gives it: certificate chain, private key,
/// CA bundle for client certificates, lowest protocol version and client-certificate policy.
public struct TLSSettings: Sendable, Equatable {
    /// Whether clients are asked for a certificate, and whether one is required.
    /// RabbitMQ's names: `verify_none`; `verify_peer`; `verify_peer` with `fail_if_no_peer_cert`.
    public enum PeerVerification: String, Sendable, CaseIterable {
        /// No certificate is asked for.
        case none
        /// A certificate is asked for; one that is presented must chain to `caFile`.
        case optional
        /// A certificate chaining to `caFile` is required; the handshake fails without one.
        case required
    }

    /// The lowest TLS version accepted; 1.3 is the highest (TLS 1.0 and 1.1 are never accepted).
    public enum MinimumVersion: String, Sendable, CaseIterable {
        case tls12 = "1.2"
        case tls13 = "1.3"
    }

    /// How long a closing connection waits for the peer's close_notify (swift-nio-ssl's default is
    /// 5 s): a socket closed for a timeout or an error, handshaking or not, is gone within this.
    static let shutdownTimeout = TimeAmount.seconds(1)

    public var certificateChainFile: String
    public var privateKeyFile: String
    /// PEM bundle of the CAs client certificates must chain to; needed unless `verification` is `.none`.
    public var caFile: String?
    public var minimumVersion: MinimumVersion
    public var verification: PeerVerification
    /// Milliseconds from accept to a finished handshake (RabbitMQ's `ssl_handshake_timeout`); then the socket is closed.
    public var handshakeTimeoutMilliseconds: Int

    public init(certificateChainFile: String, privateKeyFile: String, caFile: String? = nil,
                minimumVersion: MinimumVersion = .tls12, verification: PeerVerification = .none,
                handshakeTimeoutMilliseconds: Int = 5000) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.caFile = caFile
        self.minimumVersion = minimumVersion
        self.verification = verification
        self.handshakeTimeoutMilliseconds = handshakeTimeoutMilliseconds
    }

    /// Reads the files and builds a server context; every failure names the file and the cause,
    /// never the file's contents.
    public func makeContext() throws(TLSSetupError) -> NIOSSLContext {
        let chain = try Self.certificates(in: certificateChainFile, key: "certificate_chain_file")
        let key = try Self.privateKey(in: privateKeyFile)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        configuration.minimumTLSVersion = minimumVersion == .tls13 ? .tlsv13 : .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.shutdownTimeout = Self.shutdownTimeout
        switch verification {
        case .none:
            configuration.certificateVerification = .none
        case .optional, .required:
            guard let caFile else {
                throw TLSSetupError(.invalid, "verify = \"\(verification.rawValue)\" needs ca_file (the CAs client certificates must chain to)")
            }
            configuration.trustRoots = .certificates(try Self.certificates(in: caFile, key: "ca_file"))
            configuration.certificateVerification = verification == .required ? .noHostnameVerification : .optionalVerification
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError(.invalid, "private_key_file \(privateKeyFile) does not fit certificate_chain_file "
                                + "\(certificateChainFile) (\(error))")
        }
    }

    private static func contents(of path: String, key: String) throws(TLSSetupError) -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw TLSSetupError(.unreadable, "\(key) \(path) cannot be read: \(error.localizedDescription)")
        }
    }

    private static func certificates(in path: String, key: String) throws(TLSSetupError) -> [NIOSSLCertificate] {
        let bytes = try contents(of: path, key: key)
        guard let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes), !certificates.isEmpty else {
            throw TLSSetupError(.invalid, "\(key) \(path) holds no PEM certificate")
        }
        return certificates
    }

    private static func privateKey(in path: String) throws(TLSSetupError) -> NIOSSLPrivateKey {
        let bytes = try contents(of: path, key: "private_key_file")
        guard let key = try? NIOSSLPrivateKey(bytes: bytes, format: .pem) else {
            throw TLSSetupError(.invalid, "private_key_file \(path) holds no unencrypted PEM private key")
        }
        return key
    }
}
