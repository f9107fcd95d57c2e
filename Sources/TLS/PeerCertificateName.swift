import NIOCore
import NIOSSL

/// What a TLS client's verified certificate offers SASL EXTERNAL once the handshake is done.
public enum PeerCertificateName: Sendable, Equatable {
    /// Plain TCP, a listener that does not verify client certificates, or no certificate presented.
    case noCertificate
    /// A verified certificate without a name of the configured kind.
    case unnamed
    case named(String)

    /// Reads the peer's verified certificate from the connection's TLS handler (on its event loop,
    /// after `TLSUserEvent.handshakeCompleted`) and takes the user name from it.
    public init(verifiedOn pipeline: ChannelPipeline.SynchronousOperations, login: CertificateLogin) {
        guard let certificate = try? pipeline.nioSSL_peerCertificate() else {
            self = .noCertificate
            return
        }
        self = login.username(in: certificate).map(Self.named) ?? .unnamed
    }
}
