import Testing

@testable import Management

/// The patterns a live-tail stream binds.
@Suite struct LiveTailPatternsTests {
    @Test func emptyValuesAreDroppedAndNoneMeansEverything() throws {
        #expect(try LiveTail.patterns([]) == ["#"])
        #expect(try LiveTail.patterns(["", "kern.*", ""]) == ["kern.*"])
    }

    @Test func atMost64PatternsOfAtMost255Bytes() throws {
        let many = (0..<64).map { "p\($0).*" }
        #expect(try LiveTail.patterns(many) == many)
        #expect(throws: APIError.self) { try LiveTail.patterns(many + ["one.more"]) }
        #expect(throws: APIError.self) { try LiveTail.patterns([String(repeating: "#.", count: 128)]) }
    }
}
