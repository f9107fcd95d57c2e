import Testing

@testable import Broker

@Suite struct AccessCacheTests {
    private func key(_ name: String) -> AccessCache.Key { AccessCache.Key(kind: .write, topic: true, scope: "topic_logs", name: name) }

    @Test func aPermissionChangeForgetsEverything() {
        var cache = AccessCache()
        #expect(!cache.contains(key("kern.info"), version: 1))
        cache.insert(key("kern.info"))
        #expect(cache.contains(key("kern.info"), version: 1))
        #expect(!cache.contains(key("kern.info"), version: 2))
    }

    @Test func itHoldsAtMostItsLimit() {
        var cache = AccessCache()
        _ = cache.contains(key("x"), version: 0)
        for index in 0..<AccessCache.limit { cache.insert(key("k\(index)")) }
        #expect(cache.contains(key("k0"), version: 0))
        cache.insert(key("one more"))
        #expect(!cache.contains(key("k0"), version: 0))
        #expect(cache.contains(key("one more"), version: 0))
    }
}
