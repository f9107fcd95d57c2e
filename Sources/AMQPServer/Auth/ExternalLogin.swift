import Broker
import TLS

/// SASL EXTERNAL as RabbitMQ's rabbitmq_auth_mechanism_ssl: offered only when the client presented
/// a verified certificate; the name it carries must be a known user; no password.
enum ExternalLogin {
    static let mechanism = "EXTERNAL"

    /// The user the certificate names, or why the login is refused (for the log, as RabbitMQ words it).
    static func authenticate(_ certificate: PeerCertificateName, access: AccessControl,
                             fromLoopback: Bool) -> Result<UserAccount, Refusal> {
        switch certificate {
        case .noCertificate:
            return .failure(Refusal(reason: "connection peer presented no TLS (x.509) certificate"))
        case .unnamed:
            return .failure(Refusal(reason: "no name found"))
        case .named(let name):
            guard let user = access.certificateLogin(username: name, fromLoopback: fromLoopback) else {
                return .failure(Refusal(reason: "user '\(name)' - invalid credentials"))
            }
            return .success(user)
        }
    }

    /// Why an EXTERNAL login was refused; logged, never sent to the client.
    struct Refusal: Error, Equatable {
        var reason: String
    }
}

extension AccessControl {
    /// The user a verified client certificate names, for SASL EXTERNAL: the user must exist and may
    /// connect from this peer (`loopback_users`); no password is checked.
    public func certificateLogin(username: String, fromLoopback: Bool) -> UserAccount? {
        guard let user = users[username], fromLoopback || !loopbackUsers.contains(username) else { return nil }
        return user
    }
}
