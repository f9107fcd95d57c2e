import Foundation
import Testing

@testable import RedisBridge

/// A flood of unique names (hostnames, routing keys) ends in `_other`, never in new Redis keys.
@Suite struct NameCapTests {
    @Test func namesPastTheCapFoldIntoOther() {
        var cap = NameCap(capacity: 2)
        let admitted = ["a", "b", "c", "a"].map { cap.admit($0) }
        #expect(admitted.map(\.name) == ["a", "b", "_other", "a"])  // a tracked name keeps its own key
        #expect(admitted.map(\.overflowed) == [false, false, true, false])
    }

    @Test func aFloodOfHostnamesMakesAtMostTheCapOfHostKeys() {
        var caps = BridgeKeyCaps(maxRoutingKeys: 10, maxHosts: 3)
        var overflowed = 0
        var hosts: Set<String?> = []
        for index in 0..<1000 {
            var entry = BridgeEntry(routingKey: "user.info", body: Array(#"{"hostname":"h\#(index)"}"#.utf8), now: Date())
            overflowed += caps.apply(to: &entry)
            hosts.insert(entry.hostname)
        }
        #expect(hosts == ["h0", "h1", "h2", "_other"])
        #expect(overflowed == 997)
    }

    @Test func routingKeysFacilitiesAndSeveritiesAreCappedToo() {
        var caps = BridgeKeyCaps(maxRoutingKeys: 1, maxHosts: 1)
        var first = BridgeEntry(routingKey: "kern.crit", body: Array(#"{"facility":"kern","severity":"crit"}"#.utf8), now: Date())
        let firstOverflowed = caps.apply(to: &first)
        var hostile = BridgeEntry(routingKey: "x.y", body: Array(#"{"facility":"f1","severity":"s1"}"#.utf8), now: Date())
        let hostileOverflowed = caps.apply(to: &hostile)
        #expect(firstOverflowed == 0 && hostileOverflowed == 3)
        #expect([hostile.routingKey, hostile.facility, hostile.severity] == ["_other", "_other", "_other"])
        let commands = BridgeCommands.transaction(for: [hostile], batchID: "b", recentLimit: 10).flatMap { $0 }
        // Keys and hash fields only: the cached entry itself keeps its text.
        #expect(!commands.contains { ($0.hasPrefix("warren:") && ($0.contains("x.y") || $0.contains("f1"))) || $0 == "s1" })
    }
}
