import NIOCore
import NIOSSL

/// How an `amqps://` connection verifies the server and which certificate it presents, from the
/// URL's query (RabbitMQ's names). The server is verified against `cacertfile` (or the system's
/// CAs) and its host name unless `verify=verify_none`.
public struct AMQPClientTLS: Sendable, Equatable {
    public var caFile: String?
    public var certificateFile: String?
    public var keyFile: String?
    public var verifyPeer = true
    /// The name sent in SNI and checked against the certificate (default: the URL's host).
    public var serverName: String?

    public init() {}

    /// Takes one query parameter; false when its value is not one RabbitMQ allows.
    mutating func apply(_ name: String, _ value: String) -> Bool {
        switch name {
        case "cacertfile": caFile = value
        case "certfile": certificateFile = value
        case "keyfile": keyFile = value
        case "server_name_indication": serverName = value
        case "verify":
            guard ["verify_peer", "verify_none"].contains(value) else { return false }
            verifyPeer = value == "verify_peer"
        default: return false
        }
        return true
    }

    /// The TLS handler for a connection to `host`.
    func makeHandler(host: String) throws -> NIOSSLClientHandler {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
        if let certificateFile, let keyFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        }
        configuration.certificateVerification = verifyPeer ? .fullVerification : .none
        let name = serverName ?? host
        // SNI carries host names only; an address is still checked against the certificate's IP SANs.
        let isAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
        return try NIOSSLClientHandler(context: NIOSSLContext(configuration: configuration), serverHostname: isAddress ? nil : name)
    }
}
