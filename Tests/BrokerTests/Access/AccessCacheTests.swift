import Testing

@testable import Broker

@Suite struct AccessCacheTests {
    private func key(_ name: String) -> AccessCache.Key { AccessCache.Key(kind: .write, topic: true, scope: "topic_logs", name: name) }

    @Test func aPermissionChangeForgetsEverything() {
        var cache = AccessCache()
        let before = cache.contains(key("kern.info"), version: 1)
        cache.insert(key("kern.info"))
        let remembered = cache.contains(key("kern.info"), version: 1)
        let afterChange = cache.contains(key("kern.info"), version: 2)
        #expect(!before && remembered && !afterChange)
    }

    @Test func itHoldsAtMostItsLimit() {
        var cache = AccessCache()
        _ = cache.contains(key("x"), version: 0)
        for index in 0..<AccessCache.limit { cache.insert(key("k\(index)")) }
        let full = cache.contains(key("k0"), version: 0)
        cache.insert(key("one more"))
        let emptied = !cache.contains(key("k0"), version: 0)
        let newest = cache.contains(key("one more"), version: 0)
        #expect(full && emptied && newest)
    }
}
