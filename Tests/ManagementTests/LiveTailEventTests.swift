import AMQPWire
import Broker
import Foundation
import NIOCore
import Testing

@testable import Management

/// A live-tail event is one `entry` event whatever its routing key and body hold.
@Suite struct LiveTailEventTests {
    static func deliver(_ routingKey: String, _ body: String) -> Outbound {
        .content(1, .basicDeliver(BasicDeliver(consumerTag: "t", deliveryTag: 1, exchange: "topic_logs", routingKey: routingKey)),
                 ContentHeader(bodySize: UInt64(body.utf8.count), properties: BasicProperties()), ByteBuffer(string: body))
    }

    @Test func hostileRoutingKeysAndBodiesStayInsideOneDataLine() throws {
        let routingKey = "kern.crit\r\nevent: forged\rid: 1"
        let body = "x\n\ndata: forged\r\rdata: {}\u{2028}\u{0}"
        let stream = String(buffer: LiveTail.events([Self.deliver(routingKey, body), Self.deliver("user.info", "{}")]))
        let lines = stream.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        #expect(lines.count == 7)  // two events of two lines, each ended by a blank line, then the end
        #expect(lines.filter { $0.hasPrefix("event:") } == ["event: entry", "event: entry"])
        let data = try #require(lines.first { $0.hasPrefix("data: ") }).dropFirst("data: ".count)
        let decoded = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: String]
        #expect(decoded == ["routing_key": routingKey, "body": body])
    }
}
