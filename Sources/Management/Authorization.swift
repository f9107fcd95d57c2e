import AMQPServer
import Broker
import Foundation
import Hummingbird

/// HTTP basic auth against warren's users, as RabbitMQ's management plugin checks it: any of
/// `administrator`, `monitoring`, `management` may read; only `administrator` may change things.
struct Authorization: Sendable {
    let access: AccessDirectory

    static let readTags: Set<String> = ["administrator", "monitoring", "management", "policymaker"]

    /// The logged-in user, or 401.
    func user(_ request: Request, _ context: ManagementContext) throws -> UserAccount {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
            throw APIError.loginFailed
        }
        let name = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        guard let user = Authenticator.authenticate(access.current, username: name, password: password,
                                                    fromLoopback: context.fromLoopback) else {
            throw APIError.loginFailed
        }
        guard !Self.readTags.isDisjoint(with: user.tags) else { throw APIError.notManagement }
        return user
    }

    /// The logged-in user when it may change definitions, else 401/403.
    func administrator(_ request: Request, _ context: ManagementContext) throws -> UserAccount {
        let user = try user(request, context)
        guard user.tags.contains("administrator") else { throw APIError.notAdministrator }
        return user
    }

    /// The vhosts a user's management views show: every vhost for `administrator` and
    /// `monitoring`, else those it has permissions in (RabbitMQ's scoping).
    func visibleVhosts(_ user: UserAccount) -> [String] {
        let current = access.current
        if user.tags.contains("administrator") || user.tags.contains("monitoring") { return current.vhosts.sorted() }
        return current.vhostsVisible(to: user.name)
    }

    /// A live tail reads the log exchange of vhost `/` as a binding of each pattern would:
    /// read on the exchange and topic read on every pattern, or 403 with RabbitMQ's text.
    func authorizeTail(_ user: UserAccount, exchange: String, patterns: [String]) throws {
        let current = access.current
        let refusal = current.refusal(.read, "exchange", exchange, user: user.name, vhost: "/")
            ?? patterns.lazy.compactMap { current.topicRefusal(.read, exchange: exchange, key: $0, user: user.name, vhost: "/") }.first
        if let refusal { throw APIError(status: .forbidden, error: "access_refused", reason: refusal) }
    }

    /// The logged-in user's view scope, or 401.
    func scope(_ request: Request, _ context: ManagementContext) throws -> ViewScope {
        let user = try user(request, context)
        return ViewScope(user: user, visibleVhosts: visibleVhosts(user), existing: access.current.vhosts)
    }
}
