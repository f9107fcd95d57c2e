import Foundation

/// Turns one syslog frame into a `LogEntry`: RFC 5424 when the header is valid, else RFC 3164,
/// else the RFC 3164 §4.3 repairs. Total: any bytes give an entry (or nil for a blank frame).
public enum SyslogParser {
    /// Parses one frame (already split by the framer); nil for a blank frame (only whitespace/CR/LF/NUL).
    /// Trailing CR, LF and NUL are removed first.
    public static func parse(_ frame: some Collection<UInt8>, receivedAt: Date) -> LogEntry? {
        var bytes = Array(frame)
        while let last = bytes.last, last == ASCII.cr || last == ASCII.lf || last == ASCII.nul { bytes.removeLast() }
        guard bytes.contains(where: { !ASCII.isBlank($0) }) else { return nil }

        var scanner = ByteScanner(bytes)
        guard let priority = Priority.parse(&scanner) else {
            // §4.3.3: no valid PRI — the whole frame is the message of a user.notice entry.
            let fallback = Priority.repairDefault
            return LogEntry(facility: fallback.facility, severity: fallback.severity,
                            message: bytes[...].text, repaired: true)
        }
        let afterPRI = scanner.position
        if let entry = RFC5424Parser.parse(bytes, from: afterPRI, priority: priority) { return entry }
        if let entry = RFC3164Parser.parse(bytes, from: afterPRI, priority: priority, receivedAt: receivedAt) { return entry }
        // §4.3.2: valid PRI but no usable header — keep the PRI, everything after it is the message.
        return LogEntry(facility: priority.facility, severity: priority.severity,
                        message: scanner.rest.text, repaired: true)
    }
}
