import NIOCore
import Testing
import TestSupport

@testable import Store

/// Recovery over damaged segments (seeded random byte flips, cuts and splices): it never traps,
/// and what it recovers is a prefix of what was written, in order, never a record forged inside a
/// message body.
@Suite struct RecoveryMutationTests {

    static let bodies = (1...12).map { "m\($0)" }

    /// Twelve messages; every third body carries a framed record publishing "phantom".
    static func segment() -> [UInt8] {
        let forged = framed([publish(999, "phantom"), .removed(id: 1, queue: "q")])
        return framed(bodies.enumerated().map { index, body in
            let carried = index % 3 == 2 ? String(decoding: forged, as: UTF8.self) : ""
            return .publish(id: UInt64(index + 1), vhost: "/", queues: ["q"], exchange: "", routingKey: "q",
                            properties: ByteBuffer(), body: ByteBuffer(string: body + carried), publishedAt: 1)
        })
    }

    @Test(arguments: 0..<8)
    func damagedSegmentsRecoverAPrefix(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let original = Self.segment()
        for _ in 0..<60 {
            var bytes = original
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                }
            case 1:
                bytes.removeLast(Int.random(in: 1..<bytes.count, using: &random))
            default:  // a run of bytes copied from elsewhere in the file, as a misdirected write would
                let from = Int.random(in: 0..<bytes.count, using: &random)
                let to = Int.random(in: 0..<bytes.count, using: &random)
                let length = min(Int.random(in: 1...64, using: &random), bytes.count - max(from, to))
                bytes.replaceSubrange(to..<to + length, with: original[from..<from + length])
            }
            try withTemporaryDirectory { root in
                let directory = messagesDirectory(root)
                try writeSegment(1, bytes: bytes, in: directory)
                let recovered = try recover(directory)
                #expect(!recovered.ids("q").contains(999))
                // A body is its name ("m7"), then, for every third, the carried bytes (starting with 0x00).
                let names = recovered.bodies("q").map { String($0.prefix { $0 == "m" || $0.isNumber }) }
                #expect(names == Array(Self.bodies.prefix(names.count)), "recovered \(names)")
            }
        }
    }
}
