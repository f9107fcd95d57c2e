import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// Stream queue and consumer arguments: RabbitMQ's `x-max-age` units, every `x-stream-offset`
/// form, hostile numbers, and the filters.
@Suite struct StreamArgumentsTests {
    static let second: Int64 = 1_000
    static let day: Int64 = 86_400_000

    @Test func maxAgeUnitsAreRabbitMQs() {
        #expect(StreamArguments.duration("7D") == 7 * Self.day)
        #expect(StreamArguments.duration("12h") == 12 * 3_600 * Self.second)
        #expect(StreamArguments.duration("30m") == 30 * 60 * Self.second)
        #expect(StreamArguments.duration("10s") == 10 * Self.second)
        #expect(StreamArguments.duration("1Y") == 365 * Self.day)
        #expect(StreamArguments.duration("2M") == 60 * Self.day)
        #expect(StreamArguments.duration("7D 12h 30m 10s") == (((7 * 24 + 12) * 60 + 30) * 60 + 10) * Self.second)
    }

    @Test func badDurationsAreRefusedNotTrapped() {
        for text in ["", "7", "D", "0D", "-1D", "7X", "7d", "1.5h", "+1h", "99999999999999999999Y", "106751991167Y", "1h 1h 1h 1h 1h 1h 1h"] {
            #expect(StreamArguments.duration(text) == nil, "\(text)")
        }
    }

    @Test func retentionArgumentsAndTheirErrors() throws {
        let retention = try StreamArguments.retention(["x-max-age": .longString("7D"), "x-max-length-bytes": .int64(1_000),
                                                       "x-stream-max-segment-size-bytes": .int32(100)], queue: "s", vhost: "/")
        #expect(retention == StreamRetention(maxSegmentBytes: 100, maxBytes: 1_000, maxAge: 7 * 86_400_000))
        #expect(throws: AMQPError(.preconditionFailed, "invalid arg 'x-max-age' for queue 's' in vhost '/': {unacceptable_type,signedint}")) {
            try StreamArguments.retention(["x-max-age": .int32(5)], queue: "s", vhost: "/")
        }
        #expect(throws: AMQPError(.preconditionFailed, "invalid arg 'x-max-length-bytes' for queue 's' in vhost '/': {value_negative,-5}")) {
            try StreamArguments.retention(["x-max-length-bytes": .int64(-5)], queue: "s", vhost: "/")
        }
        #expect(throws: AMQPError.self, "an unsigned value beyond Int64 is refused") {
            try StreamArguments.retention(["x-max-length-bytes": .uint64(.max)], queue: "s", vhost: "/")
        }
    }

    @Test func everyOffsetForm() throws {
        let now: Int64 = 10_000_000
        #expect(try StreamArguments.start(nil, now: now) == .next)
        #expect(try StreamArguments.start(.longString("first"), now: now) == .first)
        #expect(try StreamArguments.start(.longString("last"), now: now) == .last)
        #expect(try StreamArguments.start(.longString("next"), now: now) == .next)
        #expect(try StreamArguments.start(.int8(5), now: now) == .offset(5))
        #expect(try StreamArguments.start(.int64(-1), now: now) == .first)
        #expect(try StreamArguments.start(.timestamp(9_000), now: now) == .timestamp(9_000_000))
        #expect(try StreamArguments.start(.timestamp(.max), now: now) == .timestamp(.max))
        #expect(try StreamArguments.start(.longString("1h"), now: now) == .timestamp(now - 3_600_000))
        #expect(try StreamArguments.start(.longString("1000Y"), now: .min + 1) == .timestamp(.min))
        #expect(throws: AMQPError(.preconditionFailed, "invalid arg 'x-stream-offset': bogus")) {
            try StreamArguments.start(.longString("bogus"), now: now)
        }
        #expect(throws: AMQPError.self) { try StreamArguments.start(.boolean(true), now: now) }
    }

    static func entry(_ key: String, filter: String = "") -> StreamEntry {
        StreamEntry(timestamp: 0, exchange: "x", routingKey: key, filterValue: filter, properties: ByteBuffer(), body: ByteBuffer())
    }

    @Test func filterValuesAndTopicPatterns() throws {
        let byValue = try StreamFilter.parse(["x-stream-filter": .array([.longString("red"), .longString("blue")])])
        #expect(byValue.admits(Self.entry("a", filter: "red")) && byValue.admits(Self.entry("a", filter: "blue")))
        #expect(!byValue.admits(Self.entry("a", filter: "green")) && !byValue.admits(Self.entry("a")))
        let unfiltered = try StreamFilter.parse(["x-stream-filter": .longString("red"), "x-stream-match-unfiltered": .boolean(true)])
        #expect(unfiltered.admits(Self.entry("a")) && !unfiltered.admits(Self.entry("a", filter: "blue")))
        let topics = try StreamFilter.parse(["x-warren-match": .array([.longString("kern.*"), .longString("#.critical")])])
        #expect(topics.admits(Self.entry("kern.info")) && topics.admits(Self.entry("auth.critical")))
        #expect(!topics.admits(Self.entry("auth.info")) && !topics.admits(Self.entry("kern.info.extra")))
        #expect(try StreamFilter.parse([:]).admits(Self.entry("anything", filter: "any")))
        #expect(throws: AMQPError.self) { try StreamFilter.parse(["x-stream-filter": .int8(1)]) }
        let tooMany = FieldValue.array(Array(repeating: .longString("#"), count: StreamFilter.maxPatterns + 1))
        #expect(throws: AMQPError.self) { try StreamFilter.parse(["x-warren-match": tooMany]) }
    }
}
