import Testing

@testable import warren

/// The send time written into a message and read back by the consumer.
struct MessageStampTests {
    @Test(arguments: [UInt64(0), 1, 123_456_789, UInt64(Int64.max)])
    func aStampComesBackFromTheBody(stamp: UInt64) {
        let body = MessageStamp.body(stamp: stamp, size: 200)
        #expect(body.utf8.count == 200)
        #expect(MessageStamp.stamp(in: Array(body.utf8)) == stamp)
    }

    @Test func aBodySmallerThanTheStampStillCarriesIt() {
        let body = MessageStamp.body(stamp: 987_654_321, size: 1)
        #expect(MessageStamp.stamp(in: Array(body.utf8)) == 987_654_321)
    }

    @Test(arguments: ["", "|x", "12", "12a|x", "99999999999999999999|x", "-5|x"])
    func aBodyWithoutAStampHasNone(body: String) {
        #expect(MessageStamp.stamp(in: Array(body.utf8)) == nil)
    }
}
