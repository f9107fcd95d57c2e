import Foundation
import NIOCore
import Syslog

extension FuzzTarget {
    /// The syslog parser on one frame. Invariants: nil exactly for a blank frame, a repaired entry has
    /// no header fields, the message grows at most threefold (U+FFFD for a bad byte), and the JSON
    /// body published for the entry parses and carries the message unchanged.
    static let syslogParser = FuzzTarget(name: "syslog-parser") { bytes in
        var stripped = bytes[...]
        while let last = stripped.last, last == 0x0D || last == 0x0A || last == 0x00 { stripped.removeLast() }
        let blank = stripped.allSatisfy { [0x20, 0x09, 0x0A, 0x0D, 0x00, 0x0B, 0x0C].contains($0) }
        let receivedAt = Date(timeIntervalSince1970: 1_764_000_000)
        guard let entry = SyslogParser.parse(bytes, receivedAt: receivedAt) else {
            return blank ? nil : "no entry for a frame that is not blank"
        }
        if blank { return "an entry for a blank frame: \(entry)" }
        if entry.message.utf8.count > bytes.count * 3 { return "the message grew more than threefold: \(entry)" }
        if entry.repaired && (entry.timestamp != nil || entry.hostname != nil || entry.appName != nil
                              || entry.structuredData != nil) {
            return "a repaired entry kept header fields: \(entry)"
        }
        let body = entry.jsonBody(receivedAt: receivedAt, peer: "fuzz")
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            return "the JSON body does not parse: \(String(decoding: body.readableBytesView, as: UTF8.self))"
        }
        return json["message"] as? String == entry.message ? nil : "the JSON body changed the message: \(entry)"
    }

    /// The RFC 6587 TCP framer. The first input byte picks the largest message, the second the size of
    /// the reads; the rest is the stream. Invariants: no frame exceeds the largest message, the frames
    /// hold no more bytes than were given, and the reads' sizes do not change the frames.
    static let syslogTCPFramer = FuzzTarget(name: "syslog-tcp-framer") { bytes in
        guard bytes.count >= 2 else { return nil }
        let maxMessageSize = bytes[0] >= 128 ? 65536 : Int(bytes[0]) + 1
        let stream = bytes[2...]
        let whole = FramedStream(stream, reads: stream.count, maxMessageSize: maxMessageSize)
        let pieces = FramedStream(stream, reads: Int(bytes[1] % 32) + 1, maxMessageSize: maxMessageSize)
        if let oversized = whole.frames.first(where: { $0.count > maxMessageSize }) {
            return "a frame of \(oversized.count) bytes exceeds \(maxMessageSize)"
        }
        let framed = whole.frames.reduce(0) { $0 + $1.count }
        if framed > stream.count { return "\(framed) bytes framed from \(stream.count) given" }
        if whole.frames != pieces.frames || whole.failed != pieces.failed {
            return "reads of \(Int(bytes[1] % 32) + 1) bytes frame differently: \(pieces) vs \(whole)"
        }
        return nil
    }
}

/// The frames a syslog TCP connection yields for a stream read in pieces of one size, up to a framing
/// error (which closes the connection) or the end of the stream.
struct FramedStream: CustomStringConvertible {
    var frames: [[UInt8]] = []
    var failed = false

    init(_ stream: ArraySlice<UInt8>, reads: Int, maxMessageSize: Int) {
        var framer = SyslogTCPFramer(maxMessageSize: maxMessageSize)
        var rest = stream
        repeat {
            framer.append(ByteBuffer(bytes: rest.prefix(max(1, reads))))
            rest = rest.dropFirst(max(1, reads))
            do {
                while let frame = try framer.nextFrame() { frames.append(Array(frame.readableBytesView)) }
            } catch {
                failed = true
                return
            }
        } while !rest.isEmpty
        if case .line(let last)? = framer.finish() { frames.append(Array(last.readableBytesView)) }
    }

    var description: String { "\(frames.map { String(decoding: $0, as: UTF8.self) }) failed: \(failed)" }
}
