import AMQPWire
import NIOCore
import Testing

@testable import AMQPServer

/// A body in one piece stays the slice it arrived in; one in pieces is gathered once into a buffer
/// reserved for its size (up to a limit), never more than the header announced.
@Suite struct ContentAssemblyTests {
    static let publish = BasicPublish(exchange: "x", routingKey: "k")

    static func assembly(bodySize: UInt64) throws -> ContentAssembly {
        var assembly = ContentAssembly(publish: publish)
        let step = try assembly.receive(header: ContentHeader(bodySize: bodySize, properties: BasicProperties()))
        guard case .incomplete = step else { throw TestFailure() }
        return assembly
    }

    static func completedBody(_ step: ContentAssembly.Step) -> ByteBuffer? {
        if case .complete(_, _, let body) = step { body } else { nil }
    }

    @Test func aBodyInOnePieceIsTheSliceItArrivedIn() throws {
        let read = ByteBuffer(bytes: [UInt8](repeating: 7, count: 65_536))
        let piece = read.getSlice(at: 1000, length: 16_384)!
        var assembly = try Self.assembly(bodySize: 16_384)
        let body = try #require(Self.completedBody(try assembly.receive(body: piece)))
        #expect(body.readableAddress == piece.readableAddress)
    }

    @Test func aBodyInPiecesIsGatheredIntoABufferOfItsSize() throws {
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
        var assembly = try Self.assembly(bodySize: UInt64(bytes.count))
        var offset = 0
        var completed: ByteBuffer?
        for size in [1, 131_064, 100, 131_064, 37_771] {
            let step = try assembly.receive(body: ByteBuffer(bytes: bytes[offset..<offset + size]))
            offset += size
            #expect(assembly.reservedBytes >= bytes.count || offset == bytes.count, "the whole body is reserved at its first piece")
            completed = Self.completedBody(step)
            #expect((completed != nil) == (offset == bytes.count))
        }
        let body = try #require(completed)
        #expect(Array(body.readableBytesView) == bytes)
        #expect(body.storageCapacity < 2 * bytes.count, "reserved at the body's size (NIO rounds up to a power of two)")
    }

    @Test func aLargeAnnouncedBodyReservesNoMoreThanTheLimitBeforeItArrives() throws {
        var assembly = try Self.assembly(bodySize: 512 << 20)
        #expect(try assembly.receive(body: ByteBuffer(bytes: [1, 2, 3])).isIncomplete)
        #expect(assembly.reservedBytes <= ContentAssembly.reservationLimit)
    }

    @Test func moreBodyThanAnnouncedIsAnError() throws {
        var assembly = try Self.assembly(bodySize: 5)
        #expect(try assembly.receive(body: ByteBuffer(bytes: [1, 2, 3])).isIncomplete)
        #expect(throws: AMQPError(.unexpectedFrame, "content body of 6 bytes exceeds the 5 announced in its header")) {
            try assembly.receive(body: ByteBuffer(bytes: [4, 5, 6]))
        }
    }
}

extension ContentAssembly.Step {
    var isIncomplete: Bool { if case .incomplete = self { true } else { false } }
}

struct TestFailure: Error {}

extension ByteBuffer {
    /// Where the first readable byte lives, to tell whether a buffer is a slice of another.
    var readableAddress: Int {
        withUnsafeReadableBytes { Int(bitPattern: $0.baseAddress) }
    }
}
