import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// A message written as a page record reads back the same, and a damaged record is refused.
@Suite struct PageRecordTests {
    @Test func roundTripsEveryField() throws {
        let properties = BasicProperties(contentType: "text/plain", deliveryMode: 2, priority: 7, expiration: "60000")
        let body = ByteBuffer(bytes: (0..<1_000).map { UInt8($0 % 251) })
        let message = Message(exchange: "ëx", routingKey: String(repeating: "k", count: 300),
                              header: ContentHeader(classID: 60, bodySize: 1_000, properties: properties), body: body)
        let decoded = try #require(PageRecord.decode(PageRecord.encode(message)))
        #expect(decoded.exchange == "ëx" && decoded.routingKey == message.routingKey)
        #expect(decoded.header == message.header && decoded.body == body)
        #expect(decoded.persistent && decoded.priority == 7 && decoded.hasExpiration)
    }

    @Test func emptyEverythingRoundTrips() throws {
        let message = Message(exchange: "", routingKey: "", header: ContentHeader(bodySize: 0, propertyBytes: ByteBuffer()),
                              body: ByteBuffer())
        let decoded = try #require(PageRecord.decode(PageRecord.encode(message)))
        #expect(decoded.exchange.isEmpty && decoded.routingKey.isEmpty && decoded.body.readableBytes == 0)
    }

    @Test func truncatedOrLyingRecordsAreRefused() {
        let message = Message(exchange: "x", routingKey: "k", header: ContentHeader(bodySize: 1, properties: BasicProperties()),
                              body: ByteBuffer(string: "b"))
        let record = PageRecord.encode(message)
        // Cut before the body: every prefix that ends inside the fixed part or the strings is refused.
        for length in 0..<(record.readableBytes - 1 - message.header.propertyBytes.readableBytes) {
            #expect(PageRecord.decode(record.getSlice(at: 0, length: length)!) == nil, "length \(length)")
        }
        var lying = ByteBuffer()
        lying.writeInteger(UInt32.max)  // an exchange name of 4 GiB
        lying.writeString("x")
        #expect(PageRecord.decode(lying) == nil)
    }
}
