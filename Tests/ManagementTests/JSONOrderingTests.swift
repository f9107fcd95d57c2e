import Foundation
import Testing

@testable import Management

/// List sorting in Erlang's term order, as RabbitMQ's management API sorts.
@Suite struct JSONOrderingTests {
    @Test func kindsSortNumbersThenAtomsThenObjectsThenArraysThenStrings() {
        let values: [Any] = ["a", [1], ["k": 1], true, NSNull(), false, 2.5, -3]
        let sorted = JSONOrdering.sorted(values.map { ["v": $0] }, on: [["v"]]).map { $0["v"]! }
        #expect(sorted.map { "\($0)" } == ["-3", "2.5", "false", "<null>", "true", "[\"k\": 1]", "[1]", "a"])
    }

    @Test func aMissingFieldCountsAsZeroAndTiesKeepTheirOrder() {
        let items: [[String: Any]] = [["name": "b", "n": 1], ["name": "a"], ["name": "c", "n": -1], ["name": "d"]]
        #expect(JSONOrdering.sorted(items, on: [["n"]]).map { $0["name"] as? String } == ["c", "a", "d", "b"])
    }

    @Test func dottedPathsAndStringsByTheirBytes() {
        let items: [[String: Any]] = [["s": ["rate": 2.0], "name": "é"], ["s": ["rate": 2.0], "name": "Z"], ["s": ["rate": 1.5], "name": "z"]]
        #expect(JSONOrdering.sorted(items, on: [["s", "rate"], ["name"]]).map { $0["name"] as? String } == ["z", "Z", "é"])
    }

    @Test func falseSortsBeforeTrue() {
        #expect(JSONOrdering.compare(false, true) < 0)
        #expect(JSONOrdering.compare(true, true) == 0)
    }
}
