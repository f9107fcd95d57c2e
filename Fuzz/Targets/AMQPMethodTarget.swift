import AMQPWire
import NIOCore

extension FuzzTarget {
    /// Every method's argument decoder: the input is a method frame's payload (class id, method id,
    /// arguments). Invariant: a method that decodes survives a round trip.
    static let amqpMethod = FuzzTarget(name: "amqp-method") { bytes in
        var frame = ByteBuffer()
        frame.writeInteger(Frame.Kind.method.rawValue)
        frame.writeInteger(UInt16(1))
        frame.writeInteger(UInt32(truncatingIfNeeded: bytes.count))
        frame.writeBytes(bytes)
        frame.writeInteger(Frame.end)
        var decoder = FrameDecoder(expectProtocolHeader: false, frameMax: 0)
        guard case .frame(let decoded)? = try? decoder.decode(buffer: &frame) else { return nil }
        return WireRoundTrip.check(decoded)
    }
}
