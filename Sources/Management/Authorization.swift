import AMQPServer
import Foundation
import Hummingbird

/// HTTP basic auth against warren's users, as RabbitMQ's management plugin checks it: any of
/// `administrator`, `monitoring`, `management` may read; only `administrator` may change things.
struct Authorization: Sendable {
    let users: UserDirectory

    static let readTags: Set<String> = ["administrator", "monitoring", "management", "policymaker"]

    /// The logged-in user, or 401.
    func user(_ request: Request, _ context: ManagementContext) throws -> User {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
            throw APIError.loginFailed
        }
        let name = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        guard let user = users.authenticate(username: name, password: password, fromLoopback: context.fromLoopback) else {
            throw APIError.loginFailed
        }
        guard !Self.readTags.isDisjoint(with: user.tags) else { throw APIError.notManagement }
        return user
    }

    /// The logged-in user when it may change definitions, else 401/403.
    func administrator(_ request: Request, _ context: ManagementContext) throws -> User {
        let user = try user(request, context)
        guard user.tags.contains("administrator") else { throw APIError.notAdministrator }
        return user
    }
}
