import AMQPWire
import Broker
import Foundation
import NIOCore
import Testing

@testable import Management

/// A live-tail event is one `entry` event whatever its routing key and body hold.
@Suite struct LiveTailEventTests {
    static func event(_ routingKey: String, _ body: String) -> ByteBuffer {
        LiveTail.event(BasicDeliver(consumerTag: "t", deliveryTag: 1, exchange: "topic_logs", routingKey: routingKey),
                       ByteBuffer(string: body))
    }

    @Test func hostileRoutingKeysAndBodiesStayInsideOneDataLine() throws {
        let routingKey = "kern.crit\r\nevent: forged\rid: 1"
        let body = "x\n\ndata: forged\r\rdata: {}\u{2028}\u{0}"
        var events = Self.event(routingKey, body)
        events.writeImmutableBuffer(Self.event("user.info", "{}"))
        let stream = String(buffer: events)
        let lines = stream.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        #expect(lines.count == 7)  // two events of two lines, each ended by a blank line, then the end
        #expect(lines.filter { $0.hasPrefix("event:") } == ["event: entry", "event: entry"])
        let data = try #require(lines.first { $0.hasPrefix("data: ") }).dropFirst("data: ".count)
        let decoded = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: String]
        #expect(decoded == ["routing_key": routingKey, "body": body])
    }
}
