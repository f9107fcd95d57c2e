import Testing

@testable import Broker

/// The topic routing cache stays within its key and destination budgets.
@Suite struct RoutingCacheTests {
    @Test func uniqueRoutingKeysNeverGrowItPastTheKeyLimit() {
        var cache = RoutingCache()
        for index in 0..<(RoutingCache.keyLimit * 3) {
            cache.remember([.queue("q")], for: "key.\(index)")
            #expect(cache.count <= RoutingCache.keyLimit)
        }
        #expect(cache["key.\(RoutingCache.keyLimit * 3 - 1)"] == [.queue("q")])
    }

    @Test func wideResultsAreBoundedByTheDestinationLimit() {
        var cache = RoutingCache()
        let wide = (0..<1000).map { Destination.queue("q\($0)") }
        for index in 0..<200 { cache.remember(wide, for: "k\(index)") }
        #expect(cache.count * wide.count <= RoutingCache.destinationLimit)
        #expect(cache["k199"]?.count == 1000)
    }

    @Test func aResultLargerThanTheWholeBudgetIsNotKept() {
        var cache = RoutingCache()
        cache.remember([.queue("small")], for: "small")
        let huge = (0...RoutingCache.destinationLimit).map { Destination.queue("q\($0)") }
        cache.remember(huge, for: "huge")
        #expect(cache["huge"] == nil)
        #expect(cache["small"] == [.queue("small")])
    }
}
