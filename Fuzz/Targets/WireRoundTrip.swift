import AMQPWire
import NIOCore

/// Decode → encode → decode must be stable for everything AMQPWire reads: the second decode describes
/// the same values as the first (so nothing is lost or cut by re-encoding; NaN-safe, unlike `==`) and
/// re-encodes to the same bytes.
enum WireRoundTrip {
    static func check(_ frame: Frame) -> String? {
        let encoded = bytes(of: frame)
        var decoder = FrameDecoder(expectProtocolHeader: false, frameMax: 0)
        var buffer = ByteBuffer(bytes: encoded)
        let again: Frame
        do {
            guard case .frame(let decoded)? = try decoder.decode(buffer: &buffer) else {
                return "a re-encoded frame does not decode: \(frame)"
            }
            again = decoded
        } catch {
            return "a re-encoded frame fails to decode (\(error)): \(frame)"
        }
        if buffer.readableBytes != 0 { return "a re-encoded frame leaves \(buffer.readableBytes) bytes: \(frame)" }
        if "\(again)" != "\(frame)" { return "a frame changes when re-encoded: \(frame) became \(again)" }
        if bytes(of: again) != encoded { return "a frame re-encodes to other bytes: \(frame)" }
        if case .header(let header) = frame.payload { return check(header) }
        return nil
    }

    /// Properties that decode survive a round trip, and the broker's fast reader agrees with them.
    static func check(_ header: ContentHeader) -> String? {
        guard let properties = try? header.properties() else { return nil }
        let fast = header.deliveryModeAndPriority
        if fast.deliveryMode != properties.deliveryMode || fast.priority != properties.priority {
            return "deliveryModeAndPriority \(fast) disagrees with the properties \(properties)"
        }
        return check(properties)
    }

    static func check(_ properties: BasicProperties) -> String? {
        var encoded = ByteBuffer()
        properties.encode(into: &encoded)
        let bytes = Array(encoded.readableBytesView)
        guard let again = try? BasicProperties(from: &encoded), encoded.readableBytes == 0 else {
            return "re-encoded properties do not decode exactly: \(properties)"
        }
        if "\(again)" != "\(properties)" { return "properties change when re-encoded: \(properties) became \(again)" }
        var reencoded = ByteBuffer()
        again.encode(into: &reencoded)
        return Array(reencoded.readableBytesView) == bytes ? nil : "properties re-encode to other bytes: \(properties)"
    }

    static func bytes(of frame: Frame) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeFrame(frame)
        return Array(buffer.readableBytesView)
    }
}
