import Foundation

/// Turns one log entry (the collector's JSON body and its routing key) into one terminal line:
/// `TIME HOST APP ROUTING_KEY: MESSAGE`, coloured by severity when asked. Used by `warren tail`
/// and `warren recent`. A body that is not an entry is printed as `ROUTING_KEY: BODY`.
struct LogLineFormatter: Sendable {
    /// Wrap each line in the ANSI colour of its severity.
    var color: Bool

    init(color: Bool) {
        self.color = color
    }

    /// The line for one message body (without the trailing newline).
    func line(routingKey: String, body: Data) -> String {
        guard let entry = try? JSONDecoder().decode(PrintedEntry.self, from: body) else {
            return Self.printable("\(routingKey): \(String(decoding: body, as: UTF8.self))")
        }
        let time = entry.timestamp ?? entry.received_at ?? "-"
        let text = Self.printable("\(time) \(entry.hostname ?? "-") \(entry.app_name ?? "-") \(routingKey): \(entry.message ?? "")")
        guard color, let severity = entry.severity, let style = SeverityStyle(severity: severity) else { return text }
        return style.wrap(text)
    }

    /// Control characters (a newline in a message, an escape sequence from a hostile sender) shown
    /// as `\n`, `\r`, `\t` or `\xHH`, so one entry stays one line and cannot drive the terminal.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                result.append(scalar)
                continue
            }
            switch scalar {
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": result.append(contentsOf: "\\r".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            default: result.append(contentsOf: String(format: "\\x%02X", scalar.value).unicodeScalars)
            }
        }
        return String(result)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

/// The fields of an entry body that a printed line shows.
private struct PrintedEntry: Decodable {
    var timestamp: String?
    var received_at: String?
    var severity: String?
    var hostname: String?
    var app_name: String?
    var message: String?
}
