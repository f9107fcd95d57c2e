import AMQPWire
import NIOCore

extension FuzzTarget {
    /// The server's frame decoder on a whole client byte stream, protocol header first. Invariants: the
    /// bytes cut in two decode to the same units as in one piece (body octets compared per channel, as a
    /// cut body frame arrives in pieces), and every frame survives a round trip.
    static let amqpFrames = FuzzTarget(name: "amqp-frames") { bytes in
        let whole = AMQPStream.decode([bytes[...]])
        let cut = bytes.isEmpty ? 0 : Int(bytes[bytes.count / 2]) * bytes.count / 256
        let split = AMQPStream.decode([bytes[..<cut], bytes[cut...]])
        if whole.comparable != split.comparable {
            return "cut at \(cut), the stream decodes differently: \(whole) vs \(split)"
        }
        for frame in whole.frames {
            if let broken = WireRoundTrip.check(frame) { return broken }
        }
        return nil
    }
}

/// What a server-side decoder makes of a byte stream that arrives in pieces: the units up to the first error.
struct AMQPStream: CustomStringConvertible {
    var units: [InboundUnit] = []
    var error: (any Error)?

    /// A connection negotiates frame_max after the header; the decoder is tested at RabbitMQ's default.
    static let frameMax: UInt32 = 131_072

    static func decode(_ pieces: [ArraySlice<UInt8>]) -> AMQPStream {
        var stream = AMQPStream()
        var decoder = FrameDecoder(expectProtocolHeader: true, frameMax: frameMax)
        var buffer = ByteBuffer()
        for piece in pieces {
            buffer.writeBytes(piece)
            do {
                while let unit = try decoder.decode(buffer: &buffer) { stream.units.append(unit) }
            } catch {
                stream.error = error
                return stream
            }
        }
        return stream
    }

    var frames: [Frame] {
        units.compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
    }

    var description: String { "\(units) \(error.map { "\($0)" } ?? "")" }

    /// What two decodes of the same bytes must agree on, as text (garbage can decode to a NaN double,
    /// never equal to itself): the units with body pieces joined; when decoding failed, the units other
    /// than body frames, since pieces of the body frame in error may have been handed on before it.
    var comparable: String {
        guard let error else { return "\(InboundUnit.joiningBodyPieces(units))" }
        return "\(units.filter { !$0.isBody }) \(error)"
    }
}
