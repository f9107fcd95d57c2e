import Hummingbird
import NIOCore

/// Refuses requests a browser could be tricked into sending, before any route runs: a `Host`
/// that is not one of the API's names (403: a DNS-rebinding page's host is the attacker's name),
/// and a request body that is not `application/json` (415: an HTML form cannot send one cross-site
/// without a CORS preflight, which warren does not answer).
struct RequestGuard<Context: RequestContext>: RouterMiddleware {
    /// Lowercased host names allowed besides IP literals and `localhost`.
    let allowedHosts: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let authority = request.head.authority, !allows(host: Self.host(of: authority)) {
            throw APIError(status: .forbidden, error: "not_authorised", reason: "Host '\(authority.prefix(255))' is not one of http.allowed_hosts")
        }
        if request.method != .get && request.method != .head && Self.hasBody(request) {
            let type = request.headers[.contentType]?.lowercased() ?? ""
            guard type == "application/json" || type.hasPrefix("application/json;") else {
                throw APIError(status: .unsupportedMediaType, error: "unsupported_media_type",
                               reason: "a request body must be application/json")
            }
        }
        return try await next(request, context)
    }

    func allows(host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || allowedHosts.contains(name) { return true }
        // An IP address is no DNS name a rebinding page could own.
        return (try? SocketAddress(ipAddress: name, port: 0)) != nil
    }

    /// The host part of a Host header: without the port, without IPv6 brackets.
    static func host(of authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
            return String(authority[..<colon])
        }
        return authority
    }

    private static func hasBody(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength] { return length != "0" }
        return request.headers[.transferEncoding] != nil
    }
}
