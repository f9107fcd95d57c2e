import NIOCore

extension InboundUnit {
    /// Whether the unit is (a piece of) a body frame: where decoding failed, pieces of the body frame
    /// in error may already have been handed on, so decodes are compared on the other units.
    public var isBody: Bool {
        if case .frame(let frame) = self, case .body = frame.payload { true } else { false }
    }

    /// The units with consecutive body octets on one channel joined into one body frame. The decoder
    /// hands on a body frame cut by the end of a read in pieces, so two decodes of the same bytes read
    /// in different pieces agree only on the octets each channel's body frames carry: this is the form
    /// in which the tests and the fuzz targets compare them.
    public static func joiningBodyPieces(_ units: [InboundUnit]) -> [InboundUnit] {
        var joined: [InboundUnit] = []
        for unit in units {
            if case .frame(let frame) = unit, case .body(let piece) = frame.payload,
               case .frame(let last)? = joined.last, last.channel == frame.channel, case .body(var body) = last.payload {
                body.writeImmutableBuffer(piece)
                joined[joined.count - 1] = .frame(Frame(channel: frame.channel, payload: .body(body)))
            } else {
                joined.append(unit)
            }
        }
        return joined
    }
}
