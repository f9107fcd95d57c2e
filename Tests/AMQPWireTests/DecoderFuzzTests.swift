@testable import AMQPWire
import NIOCore
import PropertyBased
import Testing

/// One fuzz input: the bytes after a valid protocol header, the decoder's frame_max, and how to chunk the bytes.
struct FuzzCase: Sendable, CustomStringConvertible {
    var bytes: [UInt8]
    var frameMax: UInt32
    var chunkSizes: [Int]
    var kind: String

    var description: String {
        "\(kind), frameMax \(frameMax), chunks \(chunkSizes), bytes [\(bytes.map { String($0, radix: 16) }.joined(separator: " "))]"
    }
}

/// Random and mutated-valid inputs for the decoder.
enum Fuzz {
    static let knownMethodIDs: [(UInt16, UInt16)] = allMethodSamples.map { ($0.classID, $0.methodID) }

    /// A few valid frames of every kind, as a client or server could send them.
    static func validFrames(_ rng: inout some RandomNumberGenerator) -> [UInt8] {
        var buffer = ByteBuffer()
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let channel = UInt16.random(in: 0...3, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0, 1:
                buffer.writeMethodFrame(Random.method(&rng), channel: channel)
            case 2:
                let header = ContentHeader(bodySize: Random.int(&rng), properties: Random.properties(&rng))
                buffer.writeContentHeaderFrame(header, channel: channel)
            case 3:
                buffer.writeBodyFrames(ByteBuffer(bytes: Random.bytes(&rng, maxCount: 100)), channel: channel, frameMax: 4096)
            default:
                buffer.writeHeartbeatFrame()
            }
        }
        return buffer.bytes
    }

    /// A well-formed frame envelope around random payload bytes, with known method ids most of the time,
    /// so the argument, table and property decoders see garbage.
    static func plausibleFrame(_ rng: inout some RandomNumberGenerator) -> [UInt8] {
        var payload: [UInt8] = []
        let type: UInt8 = [1, 1, 1, 2, 3, 8].randomElement(using: &rng)!
        if type == 1 {
            let ids = Int.random(in: 0..<10, using: &rng) == 0
                ? (UInt16.random(in: 0...130, using: &rng), UInt16.random(in: 0...130, using: &rng))
                : knownMethodIDs.randomElement(using: &rng)!
            payload = be16(ids.0) + be16(ids.1)
        } else if type == 2 {
            payload = [0x00, 0x3C, 0x00, 0x00] + be64(Random.int(&rng)) + [[0xFF, 0xFC], [0x20, 0x00], [0x80, 0x00]].randomElement(using: &rng)!
        }
        payload += Random.bytes(&rng, maxCount: 80)
        // Sprinkle in type tags and small lengths so tables get past their first octets.
        for _ in 0..<Int.random(in: 0...4, using: &rng) where !payload.isEmpty {
            let index = Int.random(in: 0..<payload.count, using: &rng)
            payload[index] = Int.random(in: 0..<2, using: &rng) == 0 ? Random.allTags.randomElement(using: &rng)! : UInt8.random(in: 0...8, using: &rng)
        }
        return frameBytes(type: type, channel: UInt16.random(in: 0...5, using: &rng), payload: payload)
    }

    static func mutate(_ bytes: inout [UInt8], _ rng: inout some RandomNumberGenerator) {
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty:  // flip one bit
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            case 1 where !bytes.isEmpty:  // overwrite one byte
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 2:  // truncate
                bytes.removeLast(Int.random(in: 0...bytes.count, using: &rng))
            case 3:  // insert random bytes
                let index = Int.random(in: 0...bytes.count, using: &rng)
                bytes.insert(contentsOf: Random.bytes(&rng, maxCount: 8), at: index)
            case 4 where !bytes.isEmpty:  // delete a range
                let start = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...8, using: &rng)))
            case 5 where bytes.count >= 4:  // overwrite a 32-bit field (often a length) with an edge value
                let index = Int.random(in: 0...(bytes.count - 4), using: &rng)
                let value: UInt32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, UInt32(bytes.count), UInt32.random(in: 0...300, using: &rng)].randomElement(using: &rng)!
                bytes.replaceSubrange(index..<index + 4, with: be32(value))
            default:  // duplicate a range
                guard !bytes.isEmpty else { continue }
                let start = Int.random(in: 0..<bytes.count, using: &rng)
                let end = min(bytes.count, start + Int.random(in: 1...16, using: &rng))
                bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0...bytes.count, using: &rng))
            }
        }
    }

    static func fuzzCase(_ rng: inout some RandomNumberGenerator) -> FuzzCase {
        let bytes: [UInt8]
        let kind: String
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            kind = "random bytes"
            bytes = Random.bytes(&rng, maxCount: 200)
        case 1:
            kind = "plausible frames"
            bytes = (0..<Int.random(in: 1...3, using: &rng)).flatMap { _ in plausibleFrame(&rng) }
        default:
            kind = "mutated valid frames"
            var valid = validFrames(&rng)
            mutate(&valid, &rng)
            bytes = valid
        }
        let frameMax: UInt32 = [Frame.minimumSize, 131_072, 0].randomElement(using: &rng)!
        let chunkSizes = (0..<Int.random(in: 1...4, using: &rng)).map { _ in Int.random(in: 1...32, using: &rng) }
        return FuzzCase(bytes: bytes, frameMax: frameMax, chunkSizes: chunkSizes, kind: kind)
    }
}

extension Gen where Value == FuzzCase {
    static var fuzzCase: Generator<FuzzCase, Shrink.None<FuzzCase>> {
        Generator { rng in Fuzz.fuzzCase(&rng) }
    }
}

/// Hostile input never traps the decoder: it yields units, waits for more, or throws a FrameDecodingError.
@Suite struct DecoderFuzzTests {
    @Test func decoderNeverTrapsOnRandomOrMutatedInput() async {
        await propertyCheck(count: 3000, input: Gen.fuzzCase) { fuzz in
            var decoder = FrameDecoder(expectProtocolHeader: true, frameMax: fuzz.frameMax)
            let outcome = decodeAll(ProtocolHeader.bytes + fuzz.bytes, decoder: &decoder)

            #expect(!outcome.stalled, "the decoder returned a unit without consuming input")
            #expect(outcome.units.first == .protocolHeader(accepted: true))
            #expect(outcome.units.dropFirst().allSatisfy { if case .frame = $0 { true } else { false } })
            if let error = outcome.error {
                #expect(error is FrameDecodingError, "unexpected error type \(type(of: error))")
            } else if outcome.leftover >= 7 {
                // Without an error, whatever is left is an incomplete frame.
                let rest = Array(fuzz.bytes.suffix(outcome.leftover))
                let size = rest[3..<7].reduce(0) { $0 << 8 | Int($1) }
                #expect(size + Frame.overhead > rest.count)
            }

            let lastFrame = outcome.frames.count - 1
            for (index, (frame, consumed)) in zip(outcome.frames, outcome.consumed.dropFirst()).enumerated() {
                if fuzz.frameMax != 0 {
                    #expect(consumed <= Int(fuzz.frameMax), "a frame over frame_max was accepted")
                }
                if case .header(let header) = frame.payload {
                    _ = try? header.properties()
                }
                // Whatever was decoded can be written again; after that one normalisation
                // (reserved fields emptied, invalid UTF-8 replaced) encoding is stable byte for byte.
                var rewritten = ByteBuffer()
                rewritten.writeFrame(frame)
                switch frame.payload {
                case .header:
                    #expect(rewritten.readableBytes == consumed, "header frames are forwarded unchanged")
                case .body:
                    // A body frame cut by the end of the input is handed on as a piece, without its end octet.
                    let cut = index == lastFrame && outcome.error == nil && consumed == rewritten.readableBytes - 1
                    #expect(rewritten.readableBytes == consumed || cut, "body frames are forwarded unchanged")
                case .method, .heartbeat:
                    break
                }
                let again = decodeAll(rewritten.bytes, frameMax: 0)
                #expect(again.error == nil)
                #expect(again.frames.count == 1)
                if let frameAgain = again.frames.first {
                    var rewrittenAgain = ByteBuffer()
                    rewrittenAgain.writeFrame(frameAgain)
                    #expect(rewrittenAgain.bytes == rewritten.bytes)
                }
            }

            // Feeding the same bytes in chunks gives the same units and the same error.
            let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(expectProtocolHeader: true, frameMax: fuzz.frameMax))
            var chunkedUnits: [InboundUnit] = []
            var chunkedError: (any Error)?
            let stream = ProtocolHeader.bytes + fuzz.bytes
            var offset = 0
            var chunkIndex = 0
            do {
                while offset < stream.count {
                    let end = min(stream.count, offset + fuzz.chunkSizes[chunkIndex % fuzz.chunkSizes.count])
                    chunkIndex += 1
                    try processor.process(buffer: ByteBuffer(bytes: stream[offset..<end])) { chunkedUnits.append($0) }
                    offset = end
                }
            } catch {
                chunkedError = error
            }
            // Compared as text: garbage can decode to a NaN double, which is never equal to itself.
            if outcome.error == nil {
                #expect("\(InboundUnit.joiningBodyPieces(chunkedUnits))" == "\(InboundUnit.joiningBodyPieces(outcome.units))")
            } else {
                // Before the error, pieces of a body frame in error may have been handed on.
                #expect("\(chunkedUnits.filter { !$0.isBody })" == "\(outcome.units.filter { !$0.isBody })")
            }
            #expect(chunkedError as? FrameDecodingError == outcome.error as? FrameDecodingError)
        }
    }

    /// The argument decoders of every method, the property decoder and the table decoder on raw garbage.
    @Test func argumentPropertyAndTableDecodersNeverTrap() async {
        let garbage = Generator { rng in
            // Mostly small lengths and known tags, so decoding gets past the first field.
            (0..<Int.random(in: 0...64, using: &rng)).map { _ -> UInt8 in
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: Random.allTags.randomElement(using: &rng)!
                case 1: UInt8.random(in: 0...6, using: &rng)
                default: UInt8.random(in: 0...255, using: &rng)
                }
            }
        }
        await propertyCheck(count: 500, input: garbage) { bytes in
            for (classID, methodID) in Fuzz.knownMethodIDs {
                var buffer = ByteBuffer(bytes: bytes)
                let before = buffer.readableBytes
                if let method = try? AMQPMethod.decodeArguments(classID: classID, methodID: methodID, from: &buffer) {
                    #expect(method.classID == classID && method.methodID == methodID)
                    #expect(buffer.readableBytes <= before)
                }
            }
            var properties = ByteBuffer(bytes: bytes)
            _ = try? BasicProperties(from: &properties)
            var table = ByteBuffer(bytes: [0x00, 0x00, 0x00, UInt8(bytes.count)] + bytes)
            if let decoded = try? table.readFieldTable() {
                // A table that decodes re-encodes to bytes that decode and re-encode identically.
                let encoded = encodedTable(decoded)
                var reread = ByteBuffer(bytes: encoded)
                let decodedAgain = try reread.readFieldTable()
                #expect(encodedTable(decodedAgain) == encoded)
            }
        }
    }
}
