@testable import AMQPWire
import NIOCore
import PropertyBased
import Testing

/// Field tables, arrays and values: RabbitMQ's type tags, golden bytes, round trips and malformed input.
@Suite struct FieldTableRoundTripTests {
    // MARK: Round trips

    @Test func randomTablesRoundTripByteForByte() async {
        await propertyCheck(count: 500, input: Gen.fieldTable) { table in
            var buffer = ByteBuffer()
            buffer.writeFieldTable(table)
            let encoded = buffer.bytes
            // The 32-bit length prefix counts everything after itself.
            #expect(Array(encoded.prefix(4)) == be32(UInt32(encoded.count - 4)))

            let decoded = try buffer.readFieldTable()
            #expect(buffer.readableBytes == 0)
            #expect(decoded == table)
            #expect(decoded.entries.map(\.key) == table.entries.map(\.key), "entry order and duplicate keys are kept")
            #expect(encodedTable(decoded) == encoded)
        }
    }

    @Test func randomValuesRoundTripInsideArrays() async {
        await propertyCheck(count: 300, input: Gen.fieldValue.array(of: 0...6)) { values in
            let table: FieldTable = ["list": .array(values)]
            var buffer = ByteBuffer(bytes: encodedTable(table))
            let decoded = try buffer.readFieldTable()
            #expect(decoded["list"] == .array(values))
            #expect(encodedTable(decoded) == encodedTable(table))
        }
    }

    @Test func readingStopsAtTheEndOfTheTable() throws {
        let table: FieldTable = ["x-max-length": .int32(10), "x-queue-type": "quorum"]
        var buffer = ByteBuffer(bytes: encodedTable(table) + [0xAA, 0xBB])
        #expect(try buffer.readFieldTable() == table)
        #expect(buffer.bytes == [0xAA, 0xBB])
    }

    @Test func negativeZeroAndInfinitiesKeepTheirBitPatterns() throws {
        let table: FieldTable = ["nz": .float(-0.0), "pz": .double(0.0), "inf": .double(-.infinity), "tiny": .float(.leastNonzeroMagnitude)]
        var buffer = ByteBuffer(bytes: encodedTable(table))
        let decoded = try buffer.readFieldTable()
        guard case .float(let nz) = decoded["nz"], case .double(let inf) = decoded["inf"] else {
            Issue.record("wrong types decoded: \(decoded)")
            return
        }
        #expect(nz.bitPattern == 0x8000_0000)
        #expect(inf == -.infinity)
        #expect(encodedTable(decoded) == encodedTable(table))
    }

    // MARK: Golden bytes

    /// Hand-assembled per AMQP 0-9-1 §4.2.5.5 and RabbitMQ's field-table tags.
    @Test func goldenBytesForASmallTable() throws {
        let table = FieldTable([
            .init(key: "a", value: .boolean(true)),
            .init(key: "b", value: .int32(0x0102_0304)),
            .init(key: "c", value: .longString("hi")),
            .init(key: "d", value: .void),
            .init(key: "e", value: .array([.int8(-1)])),
            .init(key: "f", value: .decimal(scale: 2, value: 12345)),
            .init(key: "é", value: .uint16(0x1234)),
        ])
        let golden: [UInt8] = [
            0x00, 0x00, 0x00, 0x2E,                                     // table size 46
            0x01, 0x61, 0x74, 0x01,                                     // "a" t true
            0x01, 0x62, 0x49, 0x01, 0x02, 0x03, 0x04,                   // "b" I 0x01020304
            0x01, 0x63, 0x53, 0x00, 0x00, 0x00, 0x02, 0x68, 0x69,       // "c" S "hi"
            0x01, 0x64, 0x56,                                           // "d" V
            0x01, 0x65, 0x41, 0x00, 0x00, 0x00, 0x02, 0x62, 0xFF,       // "e" A [b -1]
            0x01, 0x66, 0x44, 0x02, 0x00, 0x00, 0x30, 0x39,             // "f" D scale 2, 12345
            0x02, 0xC3, 0xA9, 0x75, 0x12, 0x34,                         // "é" u 0x1234
        ]
        #expect(encodedTable(table) == golden)
        var buffer = ByteBuffer(bytes: golden)
        #expect(try buffer.readFieldTable() == table)
    }

    static let goldenValues: [(FieldValue, [UInt8])] = [
        (.boolean(false), [0x74, 0x00]),
        (.boolean(true), [0x74, 0x01]),
        (.int8(-2), [0x62, 0xFE]),
        (.uint8(200), [0x42, 0xC8]),
        (.int16(-2), [0x73, 0xFF, 0xFE]),
        (.uint16(0xABCD), [0x75, 0xAB, 0xCD]),
        (.int32(-2), [0x49, 0xFF, 0xFF, 0xFF, 0xFE]),
        (.uint32(0xDEAD_BEEF), [0x69, 0xDE, 0xAD, 0xBE, 0xEF]),
        (.int64(-2), [0x6C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]),
        (.uint64(0x0102_0304_0506_0708), [0x4C, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]),
        (.float(1.0), [0x66, 0x3F, 0x80, 0x00, 0x00]),
        (.double(-2.0), [0x64, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
        (.decimal(scale: 3, value: 1), [0x44, 0x03, 0x00, 0x00, 0x00, 0x01]),
        (.longString("é"), [0x53, 0x00, 0x00, 0x00, 0x02, 0xC3, 0xA9]),
        (.byteArray([0x00, 0xFF]), [0x78, 0x00, 0x00, 0x00, 0x02, 0x00, 0xFF]),
        (.array([]), [0x41, 0x00, 0x00, 0x00, 0x00]),
        (.array([.boolean(true), .void]), [0x41, 0x00, 0x00, 0x00, 0x03, 0x74, 0x01, 0x56]),
        (.timestamp(1_700_000_000), [0x54, 0x00, 0x00, 0x00, 0x00, 0x65, 0x53, 0xF1, 0x00]),
        (.table(["k": .void]), [0x46, 0x00, 0x00, 0x00, 0x03, 0x01, 0x6B, 0x56]),
        (.void, [0x56]),
    ]

    @Test(arguments: goldenValues)
    func goldenBytesForEachType(value: FieldValue, golden: [UInt8]) throws {
        #expect(value.tag == golden[0])
        var buffer = ByteBuffer()
        buffer.writeFieldValue(value)
        #expect(buffer.bytes == golden)

        // The same bytes as the single entry "k" of a table decode back to the value.
        let tableBytes = be32(UInt32(2 + golden.count)) + [0x01, 0x6B] + golden
        var input = ByteBuffer(bytes: tableBytes)
        let decoded = try input.readFieldTable()
        #expect(decoded.entries == [FieldTable.Entry(key: "k", value: value)])
    }

    @Test func everyRabbitMQTagIsCoveredByTheGoldenValues() {
        let covered = Set(Self.goldenValues.map { $0.0.tag })
        #expect(covered == Set(Random.allTags))
        #expect(covered.count == 18)
    }

    // MARK: Malformed input

    @Test func unknownTypeTagsAreRefused() {
        let known = Set(Random.allTags)
        for tag in UInt8.min...UInt8.max where !known.contains(tag) {
            var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x03, 0x01, 0x6B, tag])
            #expect(throws: WireError.unknownFieldType(tag)) { try buffer.readFieldTable() }
        }
    }

    @Test func unknownTagInsideAnArrayIsRefused() {
        // "k" A [ 'Z' ]
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x08, 0x01, 0x6B, 0x41, 0x00, 0x00, 0x00, 0x01, 0x5A])
        #expect(throws: WireError.unknownFieldType(0x5A)) { try buffer.readFieldTable() }
    }

    static let truncatedTables: [(String, [UInt8])] = [
        ("no length", []),
        ("partial length", [0x00, 0x00, 0x00]),
        ("body shorter than length", [0x00, 0x00, 0x00, 0x0A, 0x01, 0x6B, 0x56]),
        ("key longer than body", [0x00, 0x00, 0x00, 0x02, 0x05, 0x61]),
        ("missing tag", [0x00, 0x00, 0x00, 0x02, 0x01, 0x6B]),
        ("value cut short", [0x00, 0x00, 0x00, 0x05, 0x01, 0x6B, 0x49, 0x00, 0x00]),
        ("long string past table end", [0x00, 0x00, 0x00, 0x07, 0x01, 0x6B, 0x53, 0x00, 0x00, 0x00, 0x05] + utf8("hello")),
        ("array past table end", [0x00, 0x00, 0x00, 0x08, 0x01, 0x6B, 0x41, 0x00, 0x00, 0x00, 0x02, 0x56, 0x56]),
        ("nested table cut short", [0x00, 0x00, 0x00, 0x07, 0x01, 0x6B, 0x46, 0x00, 0x00, 0x00, 0x01]),
        ("huge length", [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x6B, 0x56]),
    ]

    @Test(arguments: truncatedTables)
    func truncatedTablesAreRefused(name: String, bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        let error = wireError { _ = try buffer.readFieldTable() }
        #expect(error?.isTruncated == true, "\(name): expected .truncated, got \(String(describing: error))")
    }

    @Test func everyTagWithNoDataIsTruncatedExceptVoid() throws {
        for tag in Random.allTags {
            var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x03, 0x01, 0x6B, tag])
            if tag == UInt8(ascii: "V") {
                #expect(try buffer.readFieldTable() == ["k": .void])
                continue
            }
            let error = wireError { _ = try buffer.readFieldTable() }
            #expect(error?.isTruncated == true, "tag \(tag): expected .truncated, got \(String(describing: error))")
        }
    }

    // MARK: Nesting limit

    /// A table holding a table holding … `levels` tables in all, built directly as bytes (no recursion).
    static func nestedTableBytes(levels: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(levels * 7)
        for level in 0..<levels {
            bytes += be32(UInt32(7 * (levels - 1 - level)))
            if level < levels - 1 { bytes += [0x01, 0x6B, 0x46] }  // "k" F
        }
        return bytes
    }

    static func nestedArrayBytes(arrays: Int) -> [UInt8] {
        // A table with one entry "k" holding `arrays` arrays, each the only element of the one around it.
        var bytes = be32(UInt32(3 + 4 * arrays + (arrays - 1))) + [0x01, 0x6B, 0x41]
        for level in 0..<arrays {
            let inner = arrays - 1 - level
            bytes += be32(UInt32(5 * inner))
            if inner > 0 { bytes += [0x41] }
        }
        return bytes
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let limit = ByteBuffer.maximumFieldNesting
        #expect(limit == 64)
        var buffer = ByteBuffer(bytes: Self.nestedTableBytes(levels: limit))
        var table = try buffer.readFieldTable()
        var depth = 1
        while case .table(let inner)? = table["k"] {
            table = inner
            depth += 1
        }
        #expect(depth == limit)
        #expect(buffer.readableBytes == 0)

        // Building the same table as values gives the same bytes.
        var built = FieldTable()
        for _ in 1..<limit { built = ["k": .table(built)] }
        #expect(encodedTable(built) == Self.nestedTableBytes(levels: limit))
    }

    @Test func tablesNestedPastTheLimitAreRefused() {
        for levels in [ByteBuffer.maximumFieldNesting + 1, ByteBuffer.maximumFieldNesting + 2, 100_000] {
            var buffer = ByteBuffer(bytes: Self.nestedTableBytes(levels: levels))
            let error = wireError { _ = try buffer.readFieldTable() }
            #expect(error?.isSyntax == true, "\(levels) levels: expected .syntax, got \(String(describing: error))")
        }
    }

    @Test func arraysCountTowardsTheNestingLimit() throws {
        // The outer table is one level, so 63 arrays inside it reach the limit and 64 pass it.
        var ok = ByteBuffer(bytes: Self.nestedArrayBytes(arrays: ByteBuffer.maximumFieldNesting - 1))
        _ = try ok.readFieldTable()
        #expect(ok.readableBytes == 0)

        var tooDeep = ByteBuffer(bytes: Self.nestedArrayBytes(arrays: ByteBuffer.maximumFieldNesting))
        let error = wireError { _ = try tooDeep.readFieldTable() }
        #expect(error?.isSyntax == true, "expected .syntax, got \(String(describing: error))")
    }

    // MARK: FieldTable API

    @Test func subscriptReadsFirstEntryReplacesInPlaceAndRemoves() {
        var table = FieldTable([.init(key: "a", value: 1), .init(key: "b", value: 2), .init(key: "a", value: 3)])
        #expect(table["a"] == .int32(1))
        table["b"] = "two"
        #expect(table.entries.map(\.key) == ["a", "b", "a"])
        #expect(table["b"] == .longString("two"))
        table["a"] = nil
        #expect(table.entries == [.init(key: "b", value: "two"), .init(key: "a", value: 3)])
        table["z"] = true
        #expect(table.entries.last == .init(key: "z", value: .boolean(true)))
        #expect(!table.isEmpty)
        #expect(FieldTable().isEmpty)
    }

    @Test func valueAccessors() {
        #expect(FieldValue.uint64(UInt64.max).integerValue == nil)
        #expect(FieldValue.uint64(5).integerValue == 5)
        #expect(FieldValue.int8(-3).integerValue == -3)
        #expect(FieldValue.longString("x").integerValue == nil)
        #expect(FieldValue.longString("x").stringValue == "x")
        #expect(FieldValue.byteArray([0x78]).stringValue == nil)
        #expect(FieldValue.boolean(false).boolValue == false)
        #expect(FieldValue.int8(1).boolValue == nil)
    }
}
