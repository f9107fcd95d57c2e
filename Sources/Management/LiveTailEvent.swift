import Foundation
import NIOCore

/// One delivery as the data of a live-tail server-sent event: a JSON object whose strings are
/// escaped, so no routing key or body (a CR, an LF, "\n\ndata: …") can end the event or forge another.
struct LiveTailEvent: Encodable {
    let routingKey: String
    /// The message body as text (invalid UTF-8 repaired); the page parses it when it is a JSON entry.
    let body: String

    enum CodingKeys: String, CodingKey {
        case routingKey = "routing_key"
        case body
    }

    init(routingKey: String, body: ByteBuffer) {
        self.routingKey = routingKey
        self.body = String(buffer: body)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// The event's data line: JSON never holds a raw control character.
    var json: Data {
        // Two strings always encode; an encoder that cannot is a broken platform, not bad input.
        (try? Self.encoder.encode(self)) ?? Data("{}".utf8)
    }
}
