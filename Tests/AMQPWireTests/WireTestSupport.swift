@testable import AMQPWire
import NIOCore
import PropertyBased
import Testing

// Shared helpers for the AMQPWire tests: golden-byte builders, decoder drivers and random values.

// MARK: - Bytes

/// Big-endian octets, for writing golden bytes by hand.
func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
func be32(_ value: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8((value >> (8 * UInt32($0))) & 0xFF) } }
func be64(_ value: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8((value >> (8 * UInt64($0))) & 0xFF) } }
func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A short string as it appears on the wire: length octet, then the bytes.
func shortString(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + utf8(text) }
/// A long string as it appears on the wire: 32-bit length, then the bytes.
func longString(_ bytes: [UInt8]) -> [UInt8] { be32(UInt32(bytes.count)) + bytes }

/// A whole frame: type, channel, size, payload, 0xCE.
func frameBytes(type: UInt8, channel: UInt16, payload: [UInt8]) -> [UInt8] {
    [type] + be16(channel) + be32(UInt32(payload.count)) + payload + [0xCE]
}

extension ByteBuffer {
    /// The readable bytes as an array.
    var bytes: [UInt8] { Array(readableBytesView) }
}

func encodedTable(_ table: FieldTable) -> [UInt8] {
    var buffer = ByteBuffer()
    buffer.writeFieldTable(table)
    return buffer.bytes
}

func encodedMethodFrame(_ method: AMQPMethod, channel: UInt16) -> [UInt8] {
    var buffer = ByteBuffer()
    buffer.writeMethodFrame(method, channel: channel)
    return buffer.bytes
}

// MARK: - Driving the decoder

/// What feeding a whole byte string to a decoder produced.
struct DecodeOutcome {
    var units: [InboundUnit] = []
    /// Octets consumed for each unit, in order.
    var consumed: [Int] = []
    var error: (any Error)?
    /// Bytes the decoder left unread (an incomplete frame at the end).
    var leftover = 0
    /// Set when the decoder returned a unit without consuming anything, which would loop forever.
    var stalled = false

    var frames: [Frame] {
        units.compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
    }
}

/// Calls `decode` until it returns nil or throws, the way NIO's processor does.
func decodeAll(_ bytes: [UInt8], decoder: inout FrameDecoder) -> DecodeOutcome {
    var buffer = ByteBuffer(bytes: bytes)
    var outcome = DecodeOutcome()
    while true {
        let before = buffer.readerIndex
        do {
            guard let unit = try decoder.decode(buffer: &buffer) else { break }
            outcome.units.append(unit)
            outcome.consumed.append(buffer.readerIndex - before)
            if buffer.readerIndex == before {
                outcome.stalled = true
                break
            }
        } catch {
            outcome.error = error
            break
        }
    }
    outcome.leftover = buffer.readableBytes
    return outcome
}

func decodeAll(_ bytes: [UInt8], expectProtocolHeader: Bool = false, frameMax: UInt32 = Frame.minimumSize) -> DecodeOutcome {
    var decoder = FrameDecoder(expectProtocolHeader: expectProtocolHeader, frameMax: frameMax)
    return decodeAll(bytes, decoder: &decoder)
}

/// Decodes exactly one frame from `bytes` (no protocol header), failing the test if anything else happens.
func decodeOneFrame(_ bytes: [UInt8], frameMax: UInt32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> Frame {
    var decoder = FrameDecoder(expectProtocolHeader: false, frameMax: frameMax)
    var buffer = ByteBuffer(bytes: bytes)
    let unit = try #require(try decoder.decode(buffer: &buffer), sourceLocation: sourceLocation)
    #expect(buffer.readableBytes == 0, "decoder left \(buffer.readableBytes) bytes", sourceLocation: sourceLocation)
    guard case .frame(let frame) = unit else {
        Issue.record("expected a frame, got \(unit)", sourceLocation: sourceLocation)
        throw TestFailure()
    }
    return frame
}

/// The error a single `decode` call throws on `bytes`, as a FrameDecodingError.
func decodingError(_ bytes: [UInt8], frameMax: UInt32 = Frame.minimumSize, sourceLocation: SourceLocation = #_sourceLocation) -> FrameDecodingError? {
    var decoder = FrameDecoder(expectProtocolHeader: false, frameMax: frameMax)
    var buffer = ByteBuffer(bytes: bytes)
    do {
        let unit = try decoder.decode(buffer: &buffer)
        Issue.record("expected an error, decoded \(String(describing: unit))", sourceLocation: sourceLocation)
        return nil
    } catch let error as FrameDecodingError {
        return error
    } catch {
        Issue.record("expected a FrameDecodingError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Feeds `bytes` through NIO's single-step processor in the given chunk sizes (cycled), collecting units.
func decodeInChunks(_ bytes: [UInt8], chunkSizes: [Int], expectProtocolHeader: Bool, frameMax: UInt32 = Frame.minimumSize) throws -> (units: [InboundUnit], unprocessed: Int) {
    let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(expectProtocolHeader: expectProtocolHeader, frameMax: frameMax))
    var units: [InboundUnit] = []
    var offset = 0
    var chunkIndex = 0
    while offset < bytes.count {
        let size = max(1, chunkSizes.isEmpty ? 1 : chunkSizes[chunkIndex % chunkSizes.count])
        chunkIndex += 1
        let end = min(bytes.count, offset + size)
        try processor.process(buffer: ByteBuffer(bytes: bytes[offset..<end])) { units.append($0) }
        offset = end
    }
    return (InboundUnit.joiningBodyPieces(units), processor.unprocessedBytes)
}

struct TestFailure: Error {}

// MARK: - Deterministic randomness


// MARK: - Random values

/// Random AMQP values for the property-based tests; every function is deterministic for a given generator state.
enum Random {
    /// Characters chosen on purpose: multi-byte UTF-8, a combining mark, NUL, DEL, the replacement character, the last scalar.
    static let interestingScalars: [Unicode.Scalar] = [
        "a", "Z", "0", "-", ".", "_", " ", "#", "$", "/", "é", "ß", "ж", "中", "文", "🐇", "\u{301}", "\u{0}", "\u{7F}",
        "\u{FFFD}", "\u{10FFFF}", "\u{80}", "\u{7FF}", "\u{800}", "\u{FFFF}", "\u{10000}",
    ]

    static func bool(_ rng: inout some RandomNumberGenerator) -> Bool { Bool.random(using: &rng) }

    static func int<T: FixedWidthInteger>(_ rng: inout some RandomNumberGenerator) -> T {
        // Edge values a quarter of the time, anything otherwise.
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: T.min
        case 1: T.max
        case 2: T(truncatingIfNeeded: Int.random(in: -1...1, using: &rng))
        default: T.random(in: T.min...T.max, using: &rng)
        }
    }

    static func scalar(_ rng: inout some RandomNumberGenerator) -> Unicode.Scalar {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            return Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng))
        case 1:
            return interestingScalars.randomElement(using: &rng)!
        default:
            while true {
                if let scalar = Unicode.Scalar(UInt32.random(in: 0...0x10FFFF, using: &rng)) { return scalar }
            }
        }
    }

    /// A valid string of at most `maxBytes` UTF-8 bytes (the length is itself random).
    static func string(_ rng: inout some RandomNumberGenerator, maxBytes: Int) -> String {
        let budget = Int.random(in: 0...maxBytes, using: &rng)
        var scalars = String.UnicodeScalarView()
        var used = 0
        while used < budget {
            let scalar = scalar(&rng)
            let width = UTF8.width(scalar)
            if used + width > budget { break }
            scalars.append(scalar)
            used += width
        }
        return String(scalars)
    }

    /// A string that fits a short string: usually short, sometimes up to and exactly 255 bytes.
    static func shortString(_ rng: inout some RandomNumberGenerator) -> String {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return ""
        case 1: return String(repeating: "x", count: 255)
        case 2: return string(&rng, maxBytes: 255)
        default: return string(&rng, maxBytes: 24)
        }
    }

    static func longString(_ rng: inout some RandomNumberGenerator) -> String {
        Int.random(in: 0..<8, using: &rng) == 0 ? string(&rng, maxBytes: 1000) : string(&rng, maxBytes: 40)
    }

    static func bytes(_ rng: inout some RandomNumberGenerator, maxCount: Int = 64) -> [UInt8] {
        (0..<Int.random(in: 0...maxCount, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    /// Any float but NaN (NaN is never equal to itself), including infinities, zeros of both signs and subnormals.
    static func float(_ rng: inout some RandomNumberGenerator) -> Float {
        let specials: [Float] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1.5]
        if Int.random(in: 0..<4, using: &rng) == 0 { return specials.randomElement(using: &rng)! }
        while true {
            let value = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng))
            if !value.isNaN { return value }
        }
    }

    static func double(_ rng: inout some RandomNumberGenerator) -> Double {
        let specials: [Double] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1]
        if Int.random(in: 0..<4, using: &rng) == 0 { return specials.randomElement(using: &rng)! }
        while true {
            let value = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
            if !value.isNaN { return value }
        }
    }

    static let allTags: [UInt8] = Array("tbBsuIilLfdDSxATFV".utf8)

    /// A field value of any of the 18 types; arrays and tables nest at most `maxDepth - depth` further levels.
    static func fieldValue(_ rng: inout some RandomNumberGenerator, depth: Int = 0, maxDepth: Int = 4) -> FieldValue {
        let nestable = depth < maxDepth
        let tag = allTags.randomElement(using: &rng)!
        switch tag {
        case UInt8(ascii: "t"): return .boolean(bool(&rng))
        case UInt8(ascii: "b"): return .int8(int(&rng))
        case UInt8(ascii: "B"): return .uint8(int(&rng))
        case UInt8(ascii: "s"): return .int16(int(&rng))
        case UInt8(ascii: "u"): return .uint16(int(&rng))
        case UInt8(ascii: "I"): return .int32(int(&rng))
        case UInt8(ascii: "i"): return .uint32(int(&rng))
        case UInt8(ascii: "l"): return .int64(int(&rng))
        case UInt8(ascii: "L"): return .uint64(int(&rng))
        case UInt8(ascii: "f"): return .float(float(&rng))
        case UInt8(ascii: "d"): return .double(double(&rng))
        case UInt8(ascii: "D"): return .decimal(scale: int(&rng), value: int(&rng))
        case UInt8(ascii: "S"): return .longString(longString(&rng))
        case UInt8(ascii: "x"): return .byteArray(bytes(&rng))
        case UInt8(ascii: "A"):
            guard nestable else { return .array([]) }
            return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in fieldValue(&rng, depth: depth + 1, maxDepth: maxDepth) })
        case UInt8(ascii: "T"): return .timestamp(int(&rng))
        case UInt8(ascii: "F"):
            guard nestable else { return .table([:]) }
            return .table(fieldTable(&rng, depth: depth + 1, maxDepth: maxDepth))
        default: return .void
        }
    }

    /// A table of up to `maxEntries` entries; keys may repeat and may be non-ASCII.
    static func fieldTable(_ rng: inout some RandomNumberGenerator, depth: Int = 0, maxDepth: Int = 4, maxEntries: Int = 5) -> FieldTable {
        let count = Int.random(in: 0...maxEntries, using: &rng)
        return FieldTable((0..<count).map { _ in
            let key = Int.random(in: 0..<6, using: &rng) == 0 ? shortString(&rng) : string(&rng, maxBytes: 12)
            return FieldTable.Entry(key: key, value: fieldValue(&rng, depth: depth, maxDepth: maxDepth))
        })
    }

    static func properties(_ rng: inout some RandomNumberGenerator) -> BasicProperties {
        var properties = BasicProperties()
        if bool(&rng) { properties.contentType = shortString(&rng) }
        if bool(&rng) { properties.contentEncoding = shortString(&rng) }
        if bool(&rng) { properties.headers = fieldTable(&rng, maxDepth: 2) }
        if bool(&rng) { properties.deliveryMode = int(&rng) }
        if bool(&rng) { properties.priority = int(&rng) }
        if bool(&rng) { properties.correlationID = shortString(&rng) }
        if bool(&rng) { properties.replyTo = shortString(&rng) }
        if bool(&rng) { properties.expiration = shortString(&rng) }
        if bool(&rng) { properties.messageID = shortString(&rng) }
        if bool(&rng) { properties.timestamp = int(&rng) }
        if bool(&rng) { properties.type = shortString(&rng) }
        if bool(&rng) { properties.userID = shortString(&rng) }
        if bool(&rng) { properties.appID = shortString(&rng) }
        if bool(&rng) { properties.clusterID = shortString(&rng) }
        return properties
    }

    static let methodCaseCount = 64

    /// A random instance of method case number `caseIndex` (0..<64, in declaration order) with random arguments.
    static func method(_ rng: inout some RandomNumberGenerator, caseIndex: Int) -> AMQPMethod {
        func s() -> String { shortString(&rng) }
        func b() -> Bool { bool(&rng) }
        func t() -> FieldTable { fieldTable(&rng, maxDepth: 3) }
        func raw() -> [UInt8] { bytes(&rng) }
        func u16() -> UInt16 { int(&rng) }
        func u32() -> UInt32 { int(&rng) }
        func u64() -> UInt64 { int(&rng) }
        switch caseIndex {
        case 0: return .connectionStart(ConnectionStart(versionMajor: int(&rng), versionMinor: int(&rng), serverProperties: t(), mechanisms: raw(), locales: raw()))
        case 1: return .connectionStartOk(ConnectionStartOk(clientProperties: t(), mechanism: s(), response: raw(), locale: s()))
        case 2: return .connectionSecure(ConnectionSecure(challenge: raw()))
        case 3: return .connectionSecureOk(ConnectionSecureOk(response: raw()))
        case 4: return .connectionTune(ConnectionTune(channelMax: u16(), frameMax: u32(), heartbeat: u16()))
        case 5: return .connectionTuneOk(ConnectionTuneOk(channelMax: u16(), frameMax: u32(), heartbeat: u16()))
        case 6: return .connectionOpen(ConnectionOpen(virtualHost: s()))
        case 7: return .connectionOpenOk
        case 8: return .connectionClose(ConnectionClose(replyCode: u16(), replyText: s(), classID: u16(), methodID: u16()))
        case 9: return .connectionCloseOk
        case 10: return .connectionBlocked(ConnectionBlocked(reason: s()))
        case 11: return .connectionUnblocked
        case 12: return .connectionUpdateSecret(ConnectionUpdateSecret(newSecret: raw(), reason: s()))
        case 13: return .connectionUpdateSecretOk
        case 14: return .channelOpen
        case 15: return .channelOpenOk
        case 16: return .channelFlow(ChannelFlow(active: b()))
        case 17: return .channelFlowOk(ChannelFlowOk(active: b()))
        case 18: return .channelClose(ChannelClose(replyCode: u16(), replyText: s(), classID: u16(), methodID: u16()))
        case 19: return .channelCloseOk
        case 20: return .exchangeDeclare(ExchangeDeclare(exchange: s(), type: s(), passive: b(), durable: b(), autoDelete: b(), internal: b(), noWait: b(), arguments: t()))
        case 21: return .exchangeDeclareOk
        case 22: return .exchangeDelete(ExchangeDelete(exchange: s(), ifUnused: b(), noWait: b()))
        case 23: return .exchangeDeleteOk
        case 24: return .exchangeBind(ExchangeBind(destination: s(), source: s(), routingKey: s(), noWait: b(), arguments: t()))
        case 25: return .exchangeBindOk
        case 26: return .exchangeUnbind(ExchangeUnbind(destination: s(), source: s(), routingKey: s(), noWait: b(), arguments: t()))
        case 27: return .exchangeUnbindOk
        case 28: return .queueDeclare(QueueDeclare(queue: s(), passive: b(), durable: b(), exclusive: b(), autoDelete: b(), noWait: b(), arguments: t()))
        case 29: return .queueDeclareOk(QueueDeclareOk(queue: s(), messageCount: u32(), consumerCount: u32()))
        case 30: return .queueBind(QueueBind(queue: s(), exchange: s(), routingKey: s(), noWait: b(), arguments: t()))
        case 31: return .queueBindOk
        case 32: return .queueUnbind(QueueUnbind(queue: s(), exchange: s(), routingKey: s(), arguments: t()))
        case 33: return .queueUnbindOk
        case 34: return .queuePurge(QueuePurge(queue: s(), noWait: b()))
        case 35: return .queuePurgeOk(QueuePurgeOk(messageCount: u32()))
        case 36: return .queueDelete(QueueDelete(queue: s(), ifUnused: b(), ifEmpty: b(), noWait: b()))
        case 37: return .queueDeleteOk(QueueDeleteOk(messageCount: u32()))
        case 38: return .basicQos(BasicQos(prefetchSize: u32(), prefetchCount: u16(), global: b()))
        case 39: return .basicQosOk
        case 40: return .basicConsume(BasicConsume(queue: s(), consumerTag: s(), noLocal: b(), noAck: b(), exclusive: b(), noWait: b(), arguments: t()))
        case 41: return .basicConsumeOk(BasicConsumeOk(consumerTag: s()))
        case 42: return .basicCancel(BasicCancel(consumerTag: s(), noWait: b()))
        case 43: return .basicCancelOk(BasicCancelOk(consumerTag: s()))
        case 44: return .basicPublish(BasicPublish(exchange: s(), routingKey: s(), mandatory: b(), immediate: b()))
        case 45: return .basicReturn(BasicReturn(replyCode: u16(), replyText: s(), exchange: s(), routingKey: s()))
        case 46: return .basicDeliver(BasicDeliver(consumerTag: s(), deliveryTag: u64(), redelivered: b(), exchange: s(), routingKey: s()))
        case 47: return .basicGet(BasicGet(queue: s(), noAck: b()))
        case 48: return .basicGetOk(BasicGetOk(deliveryTag: u64(), redelivered: b(), exchange: s(), routingKey: s(), messageCount: u32()))
        case 49: return .basicGetEmpty
        case 50: return .basicAck(BasicAck(deliveryTag: u64(), multiple: b()))
        case 51: return .basicReject(BasicReject(deliveryTag: u64(), requeue: b()))
        case 52: return .basicRecoverAsync(BasicRecoverAsync(requeue: b()))
        case 53: return .basicRecover(BasicRecover(requeue: b()))
        case 54: return .basicRecoverOk
        case 55: return .basicNack(BasicNack(deliveryTag: u64(), multiple: b(), requeue: b()))
        case 56: return .txSelect
        case 57: return .txSelectOk
        case 58: return .txCommit
        case 59: return .txCommitOk
        case 60: return .txRollback
        case 61: return .txRollbackOk
        case 62: return .confirmSelect(ConfirmSelect(noWait: b()))
        case 63: return .confirmSelectOk
        default: preconditionFailure("no method case \(caseIndex)")
        }
    }

    static func method(_ rng: inout some RandomNumberGenerator) -> AMQPMethod {
        method(&rng, caseIndex: Int.random(in: 0..<methodCaseCount, using: &rng))
    }
}

// MARK: - Generators for propertyCheck

extension Gen where Value == FieldTable {
    static var fieldTable: Generator<FieldTable, Shrink.None<FieldTable>> {
        Generator { rng in Random.fieldTable(&rng) }
    }
}

extension Gen where Value == FieldValue {
    static var fieldValue: Generator<FieldValue, Shrink.None<FieldValue>> {
        Generator { rng in Random.fieldValue(&rng) }
    }
}

extension Gen where Value == AMQPMethod {
    static var method: Generator<AMQPMethod, Shrink.None<AMQPMethod>> {
        Generator { rng in Random.method(&rng) }
    }
}

extension Gen where Value == BasicProperties {
    static var properties: Generator<BasicProperties, Shrink.None<BasicProperties>> {
        Generator { rng in Random.properties(&rng) }
    }
}

extension Gen where Value == String {
    /// Strings that fit an AMQP short string (at most 255 UTF-8 bytes), non-ASCII included.
    static var shortString: Generator<String, Shrink.None<String>> {
        Generator { rng in Random.shortString(&rng) }
    }
}

// MARK: - Errors

/// The WireError `body` throws, or nil when it returns normally (other errors are recorded as issues).
func wireError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> WireError? {
    do {
        try body()
        return nil
    } catch let error as WireError {
        return error
    } catch {
        Issue.record("expected a WireError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension WireError {
    var isTruncated: Bool { if case .truncated = self { true } else { false } }
    var isSyntax: Bool { if case .syntax = self { true } else { false } }
}
