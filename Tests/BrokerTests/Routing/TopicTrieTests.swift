import Testing

@testable import Broker

/// One binding key against one routing key, as RabbitMQ's topic exchange decides it.
/// RabbitMQ splits keys on "." keeping empty words ("a..b" is three words), except that the
/// empty key is zero words (rabbit_db_topic_exchange:split_topic_key(<<>>) -> []).
struct TopicCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let key: String
    let matches: Bool
    init(_ pattern: String, _ key: String, _ matches: Bool) {
        self.pattern = pattern
        self.key = key
        self.matches = matches
    }
    var testDescription: String { "'\(pattern)' \(matches ? "~" : "!~") '\(key)'" }
}

@Suite struct TopicTrieTests {
    static let literalAndStar: [TopicCase] = [
        .init("a.b.c", "a.b.c", true),
        .init("a.b.c", "a.b", false),
        .init("a.b.c", "a.b.c.d", false),
        .init("a.b.c", "a.b.x", false),
        .init("A.b", "a.b", false),  // case-sensitive
        .init("a.*.c", "a.b.c", true),
        .init("a.*.c", "a.c", false),
        .init("a.*.c", "a.b.b.c", false),
        .init("*", "a", true),
        .init("*", "a.b", false),
        .init("*.*", "a.b", true),
        .init("*.*", "a", false),
        .init("*.*.*", "a.b.c", true),
        .init("*.b", "a.b", true),
        .init("*.b", "b", false),
        .init("a*", "ab", false),  // `*` only as a whole word
        .init("a*", "a*", true),
        .init("#a", "xa", false),  // `#` only as a whole word
        .init("#a", "#a", true),
    ]

    static let hash: [TopicCase] = [
        // `#` alone
        .init("#", "", true),
        .init("#", "a", true),
        .init("#", "a.b.c", true),
        .init("#", ".", true),
        // `#` at the end
        .init("a.#", "a", true),
        .init("a.#", "a.b", true),
        .init("a.#", "a.b.c", true),
        .init("a.#", "b.a", false),
        .init("a.#", "", false),
        .init("a.#", "ab", false),
        // `#` at the start
        .init("#.a", "a", true),
        .init("#.a", "b.a", true),
        .init("#.a", "c.b.a", true),
        .init("#.a", "a.b", false),
        // `#` in the middle
        .init("a.#.b", "a.b", true),
        .init("a.#.b", "a.x.b", true),
        .init("a.#.b", "a.x.y.b", true),
        .init("a.#.b", "a.b.b", true),
        .init("a.#.b", "a.x", false),
        .init("a.#.b", "x.a.b", false),
        .init("#.b.#", "b", true),
        .init("#.b.#", "a.b.c", true),
        .init("#.b.#", "a.c", false),
        // several `#`
        .init("#.#", "", true),
        .init("#.#", "a", true),
        .init("#.#", "a.b.c", true),
        .init("#.#.#", "a.b", true),
        .init("a.#.#.b", "a.b", true),
        .init("a.#.#.b", "a.x.y.z.b", true),
        // `#` with `*`
        .init("#.*", "a", true),
        .init("#.*", "a.b.c", true),
        .init("*.#", "a", true),
        .init("*.#", "a.b", true),
        .init("*.#.*", "a", false),
        .init("*.#.*", "a.b", true),
        .init("*.#.*", "a.b.c.d", true),
        .init("a.*.#", "a", false),
        .init("a.*.#", "a.b", true),
        .init("a.*.#", "a.b.c", true),
    ]

    static let emptyWords: [TopicCase] = [
        .init("a..b", "a..b", true),
        .init("a..b", "a.b", false),
        .init("a.*.b", "a..b", true),  // `*` matches the empty word
        .init("a.#.b", "a..b", true),
        .init(".a", ".a", true),
        .init(".a", "a", false),
        .init("*.a", ".a", true),
        .init("a.", "a.", true),
        .init("a.", "a", false),
        .init("a.*", "a.", true),
        .init("a.#", "a.", true),
        .init("#", "a..b", true),
        .init("*", ".", false),  // "." is two empty words
        .init("*.*", ".", true),
        .init("a.b", "a.b.", false),
        // The empty binding key and the empty routing key are both zero words.
        .init("", "", true),
        .init("", "a", false),
        .init("", ".", false),
    ]

    /// Zero words: `*` needs exactly one, so it never matches the empty routing key in RabbitMQ.
    static let emptyRoutingKeyAgainstStar: [TopicCase] = [
        .init("*", "", false),
        .init("#.*", "", false),
        .init("*.#", "", false),
        .init("#.*.#", "", false),
    ]

    static func matches(_ pattern: String, _ key: String) -> Bool {
        let trie = TopicTrie(bindings: [Binding(destination: .queue("q"), key: pattern)])
        var found: [Destination] = []
        trie.match(key, into: &found)
        return found.contains(.queue("q"))
    }

    @Test(arguments: literalAndStar)
    func literalWordsAndStar(_ c: TopicCase) {
        #expect(Self.matches(c.pattern, c.key) == c.matches)
    }

    @Test(arguments: hash)
    func hashMatchesZeroOrMoreWords(_ c: TopicCase) {
        #expect(Self.matches(c.pattern, c.key) == c.matches)
    }

    @Test(arguments: emptyWords)
    func emptyWordsAreWords(_ c: TopicCase) {
        #expect(Self.matches(c.pattern, c.key) == c.matches)
    }

    @Test(arguments: emptyRoutingKeyAgainstStar)
    func emptyRoutingKeyHasNoWordForStar(_ c: TopicCase) {
        #expect(Self.matches(c.pattern, c.key) == c.matches)
    }

    @Test func manyBindingsInOneTrieEachMatchIndependently() {
        let bindings = [
            Binding(destination: .queue("stock"), key: "stock.#"),
            Binding(destination: .queue("nyse"), key: "stock.nyse.*"),
            Binding(destination: .queue("errors"), key: "*.error"),
            Binding(destination: .queue("all"), key: "#"),
            Binding(destination: .exchange("x"), key: "stock.*.ibm"),
        ]
        let trie = TopicTrie(bindings: bindings)
        func route(_ key: String) -> Set<Destination> {
            var found: [Destination] = []
            trie.match(key, into: &found)
            return Set(found)
        }
        #expect(route("stock.nyse.ibm") == [.queue("stock"), .queue("nyse"), .queue("all"), .exchange("x")])
        #expect(route("stock.lse.ibm") == [.queue("stock"), .queue("all"), .exchange("x")])
        #expect(route("disk.error") == [.queue("errors"), .queue("all")])
        #expect(route("stock") == [.queue("stock"), .queue("all")])
        #expect(route("") == [.queue("all")])
    }

    @Test func oneBindingKeyForTwoDestinationsReachesBoth() {
        let trie = TopicTrie(bindings: [
            Binding(destination: .queue("q1"), key: "a.*"),
            Binding(destination: .queue("q2"), key: "a.*"),
        ])
        var found: [Destination] = []
        trie.match("a.b", into: &found)
        #expect(Set(found) == [.queue("q1"), .queue("q2")])
        found.removeAll()
        trie.match("a", into: &found)
        #expect(found.isEmpty)
    }

    @Test func identicalKeyAndDestinationIsStoredOnce() {
        // Same key, same destination, different arguments: two bindings, one trie leaf entry.
        let trie = TopicTrie(bindings: [
            Binding(destination: .queue("q"), key: "a.b", arguments: ["x": 1]),
            Binding(destination: .queue("q"), key: "a.b", arguments: ["x": 2]),
        ])
        var found: [Destination] = []
        trie.match("a.b", into: &found)
        #expect(found == [.queue("q")])
    }

    @Test func emptyTrieMatchesNothing() {
        var found: [Destination] = []
        TopicTrie(bindings: []).match("a.b", into: &found)
        TopicTrie(bindings: []).match("", into: &found)
        #expect(found.isEmpty)
    }
}
