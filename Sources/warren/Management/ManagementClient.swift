import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `--api URL` and the HTTP calls the CLI makes to the management API (Foundation's URLSession:
/// a handful of requests per command does not need an HTTP client library).
struct ManagementOptions: ParsableArguments {
    @Option(help: "Management API, with credentials.") var api = "http://guest:guest@127.0.0.1:15672"

    /// Sends a request and returns the body; API errors become a message with RabbitMQ's reason.
    func call(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
        guard var components = URLComponents(string: api), components.host != nil else {
            throw ValidationError("--api must be http://user:password@host:port, got '\(api)'")
        }
        let user = components.user ?? "guest"
        let password = components.password ?? "guest"
        components.user = nil
        components.password = nil
        let parts = path.split(separator: "?", maxSplits: 1)
        components.percentEncodedPath = parts.first.map(String.init) ?? path
        components.percentEncodedQuery = parts.count == 2 ? String(parts[1]) : nil
        guard let url = components.url else { throw ValidationError("cannot build a URL from \(api) and \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let reason = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["reason"] as? String
            throw ManagementCallError(description: "\(method) \(path): HTTP \(status)\(reason.map { ": \($0)" } ?? "")")
        }
        return data
    }
}

/// A management API call that failed, with the status and the API's reason.
struct ManagementCallError: Error, CustomStringConvertible {
    var description: String
}

extension ManagementOptions {
    /// Sends a JSON object as the body.
    func call(_ method: String, _ path: String, json: [String: Any]) async throws {
        _ = try await call(method, path, body: try JSONSerialization.data(withJSONObject: json))
    }
}

/// A percent-encoded path segment (`/` becomes `%2F`, as the API expects for the default vhost).
func pathSegment(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
}
