import Foundation

/// What the bridge needs of one log entry: its routing key and the JSON body's host and time.
struct BridgeEntry: Equatable {
    /// `<facility>.<severity>`, the routing key the entry was published with.
    var routingKey: String
    var facility: String
    var severity: String
    var hostname: String?
    /// `received_at` as Unix minutes (the rate series' field), or the bridge's clock when absent.
    var minute: Int64
    var receivedAt: String
    /// The entry exactly as published, cached in the recent lists.
    var json: String

    private struct Body: Decodable {
        var facility: String?
        var severity: String?
        var hostname: String?
        var received_at: String?
    }

    /// Reads an entry; a body that is not the JSON entry format is still counted under its routing key.
    init(routingKey: String, body: [UInt8], now: Date) {
        self.routingKey = routingKey
        json = String(decoding: body, as: UTF8.self)
        let decoded = try? JSONDecoder().decode(Body.self, from: Data(body))
        let parts = routingKey.split(separator: ".", maxSplits: 1).map(String.init)
        facility = decoded?.facility ?? parts.first ?? routingKey
        severity = decoded?.severity ?? (parts.count > 1 ? parts[1] : "unknown")
        hostname = decoded?.hostname
        let time = decoded?.received_at.flatMap(Self.parseTime) ?? now
        receivedAt = decoded?.received_at ?? Self.format(now)
        minute = Int64((time.timeIntervalSince1970 / 60).rounded(.down))
    }

    private static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    private static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
