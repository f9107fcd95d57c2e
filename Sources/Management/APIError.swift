import AMQPWire
import Foundation
import Hummingbird

/// An error answered as RabbitMQ's management API answers it: a status and `{"error", "reason"}`.
struct APIError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let error: String
    let reason: String

    static let notFound = APIError(status: .notFound, error: "Object Not Found", reason: "Not Found")
    static let loginFailed = APIError(status: .unauthorized, error: "not_authorised", reason: "Login failed")
    static let notAdministrator = APIError(status: .forbidden, error: "not_authorised", reason: "Not administrator user")
    static let notManagement = APIError(status: .unauthorized, error: "not_authorised", reason: "Not management user")

    static func badRequest(_ reason: String) -> APIError { APIError(status: .badRequest, error: "bad_request", reason: reason) }

    /// A request body over `http.max_body_size`: RabbitMQ's reason text, with 413 rather than its 400.
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, error: "payload_too_large",
                 reason: "Exceeded HTTP request body size limit (\(limit) bytes, http.max_body_size)")
    }

    /// A broker refusal: 404 for missing objects, 400 for the rest, with the AMQP text as the reason.
    static func broker(_ error: AMQPError) -> APIError {
        let reason = String(error.text.dropFirst("\(error.code.name) - ".count))
        return APIError(status: error.code == .notFound ? .notFound : .badRequest,
                        error: error.code == .notFound ? "Object Not Found" : "bad_request", reason: reason)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        // The console signs in with its own form: a script's request (`X-Requested-With`) gets no
        // challenge, so the browser shows no Basic-auth prompt of its own.
        if status == .unauthorized && request.headers[.init("X-Requested-With")!] == nil {
            headers[.wwwAuthenticate] = "Basic realm=\"RabbitMQ Management\""
        }
        let body = try JSONSerialization.data(withJSONObject: ["error": error, "reason": reason], options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
