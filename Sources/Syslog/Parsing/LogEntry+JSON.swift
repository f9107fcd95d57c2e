import Foundation
import NIOCore

extension LogEntry {
    /// The AMQP body: JSON with exactly the keys timestamp, received_at, facility, severity, hostname,
    /// app_name, procid, msgid, structured_data (object SD-ID -> {param: value}, or null), message, peer.
    ///
    /// `received_at` is UTC with milliseconds. A parameter name repeated within an element (allowed by
    /// RFC 5424 §6.3.3) gets an array of its values in order; a repeated SD-ID is merged into one object.
    public func jsonBody(receivedAt: Date, peer: String) -> ByteBuffer {
        var json = JSONObjectWriter(capacity: message.utf8.count + 256)
        json.field("timestamp", timestamp)
        json.field("received_at", UTCCalendar.iso8601Milliseconds(receivedAt))
        json.field("facility", facility.name)
        json.field("severity", severity.name)
        json.field("hostname", hostname)
        json.field("app_name", appName)
        json.field("procid", procID)
        json.field("msgid", msgID)
        if let structuredData {
            json.objectField("structured_data") { object in
                for element in Self.merged(structuredData) {
                    object.objectField(element.id) { parameters in
                        for parameter in element.parameters { parameters.field(parameter.name, parameter.values) }
                    }
                }
            }
        } else {
            json.nullField("structured_data")
        }
        json.field("message", message)
        json.field("peer", peer)
        return json.finished()
    }

    private struct MergedElement {
        var id: String
        var parameters: [(name: String, values: [String])]
    }

    /// Elements with equal SD-IDs joined, parameters with equal names joined; first-seen order kept.
    private static func merged(_ elements: [StructuredElement]) -> [MergedElement] {
        var result: [MergedElement] = []
        for element in elements {
            let index = result.firstIndex { $0.id == element.id } ?? {
                result.append(MergedElement(id: element.id, parameters: []))
                return result.count - 1
            }()
            for parameter in element.parameters {
                if let existing = result[index].parameters.firstIndex(where: { $0.name == parameter.name }) {
                    result[index].parameters[existing].values.append(parameter.value)
                } else {
                    result[index].parameters.append((parameter.name, [parameter.value]))
                }
            }
        }
        return result
    }
}
