import AMQPWire
import NIOCore

/// A username and password taken from a connection.start-ok response.
struct SASLCredentials: Equatable {
    var username: String
    var password: String

    /// The mechanisms offered in connection.start, in RabbitMQ's order.
    static let offeredMechanisms = "PLAIN AMQPLAIN"

    /// Parses the response for a mechanism; nil when the mechanism is unknown or the response malformed.
    init?(mechanism: String, response: [UInt8]) {
        switch mechanism {
        case "PLAIN":
            // authzid NUL authcid NUL passwd (RFC 4616)
            let parts = response.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
            username = String(decoding: parts[1], as: UTF8.self)
            password = String(decoding: parts[2], as: UTF8.self)
        case "AMQPLAIN":
            // A field table without its length prefix: LOGIN and PASSWORD as long strings.
            var buffer = ByteBuffer()
            buffer.writeInteger(UInt32(response.count))
            buffer.writeBytes(response)
            guard let table = try? buffer.readFieldTable(),
                  let login = table["LOGIN"]?.stringValue,
                  let password = table["PASSWORD"]?.stringValue
            else { return nil }
            self.username = login
            self.password = password
        default:
            return nil
        }
    }
}
