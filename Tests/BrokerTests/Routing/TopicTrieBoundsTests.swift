import Testing

@testable import Broker

/// Topic matching does bounded work whatever the patterns: each (trie node, words consumed)
/// state is visited at most once, so `#.#.#…` against a long key is linear, not exponential.
/// The tests count visited states, never wall time.
@Suite struct TopicTrieBoundsTests {
    /// One trie, one key: whether `q` matched, and how many states the match visited.
    static func run(_ patterns: [String], _ key: String) -> (matched: Bool, visits: Int) {
        let trie = TopicTrie(bindings: patterns.map { Binding(destination: .queue($0 == patterns[0] ? "q" : $0), key: $0) })
        var found: [Destination] = []
        let visits = trie.match(key, into: &found)
        return (found.contains(.queue("q")), visits)
    }

    /// Nodes of a trie holding these patterns (root included): one per distinct prefix of words.
    static func nodeCount(_ patterns: [String]) -> Int {
        var prefixes: Set<[Substring]> = [[]]
        for pattern in patterns {
            let words = pattern.isEmpty ? [] : pattern.split(separator: ".", omittingEmptySubsequences: false)
            for length in 1...max(words.count, 1) where length <= words.count { prefixes.insert(Array(words.prefix(length))) }
        }
        return prefixes.count
    }

    static func key(words: Int, _ word: String = "w") -> String {
        Array(repeating: word, count: words).joined(separator: ".")
    }

    @Test func thirteenHashesAgainstFortyWordsVisitEachStateOnce() {
        let pattern = Array(repeating: "#", count: 13).joined(separator: ".")
        let (matched, visits) = Self.run([pattern], Self.key(words: 40))
        #expect(matched)
        #expect(visits <= 14 * 41)
    }

    @Test func consecutiveHashesCostWhatOneHashCosts() {
        let key = Self.key(words: 40)
        let many = Self.run([Array(repeating: "#", count: 13).joined(separator: ".")], key)
        let one = Self.run(["#"], key)
        #expect(many.matched && one.matched)
        #expect(many.visits == one.visits)
    }

    @Test func hashesThatCannotMatchStillFinishBounded() {
        // Exponential for a backtracking matcher: every split of 40 words among 13 `#`, then a miss.
        let pattern = Array(repeating: "#", count: 13).joined(separator: ".") + ".never"
        let (matched, visits) = Self.run([pattern], Self.key(words: 40))
        #expect(!matched)
        #expect(visits <= 15 * 41)
    }

    @Test func starsAndHashesMixedStayBounded() {
        let pattern = Array(repeating: "*.#", count: 20).joined(separator: ".")  // 40 words
        let hit = Self.run([pattern], Self.key(words: 60))
        let miss = Self.run([pattern], Self.key(words: 19))
        #expect(hit.matched && !miss.matched)
        #expect(hit.visits <= 41 * 61 && miss.visits <= 41 * 20)
    }

    @Test func longestKeyOfEmptyWordsAgainstHashes() {
        // 127 dots: 128 empty words, a 255-byte routing key; patterns of `#` and `*` up to 255 bytes.
        let key = String(repeating: ".", count: 127)
        let hashes = Array(repeating: "#", count: 128).joined(separator: ".")
        let mixed = Array(repeating: "#.*", count: 64).joined(separator: ".")
        let (matched, visits) = Self.run([hashes], key)
        #expect(matched)
        #expect(visits <= 129 * 129)
        let second = Self.run([mixed], key)
        #expect(second.matched)
        #expect(second.visits <= 129 * 129)
    }

    @Test func manyBindingsSharingPrefixesCostTheirNodesTimesWords() {
        var patterns = ["a.#.z"]
        for depth in 1...30 { patterns.append((["a"] + Array(repeating: "#", count: depth)).joined(separator: ".") + ".b") }
        for depth in 1...30 { patterns.append((["a"] + Array(repeating: "*.#", count: depth)).joined(separator: ".")) }
        let key = "a." + Self.key(words: 40) + ".z"
        let (matched, visits) = Self.run(patterns, key)
        #expect(matched)
        #expect(visits <= Self.nodeCount(patterns) * 43)
    }

    /// A straightforward, exponential matcher of RabbitMQ's rule, to check the trie against on small inputs.
    static func reference(_ pattern: ArraySlice<Substring>, _ words: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return words.isEmpty }
        let rest = pattern.dropFirst()
        switch first {
        case "#": return reference(rest, words) || (!words.isEmpty && reference(pattern, words.dropFirst()))
        case "*": return !words.isEmpty && reference(rest, words.dropFirst())
        default: return words.first == first && reference(rest, words.dropFirst())
        }
    }

    @Test func agreesWithTheReferenceRuleOnEveryShortPatternAndKey() {
        let patternWords: [Substring] = ["a", "b", "*", "#", ""]
        let keyWords: [Substring] = ["a", "b", ""]
        func sequences(_ alphabet: [Substring], upTo length: Int) -> [[Substring]] {
            var all: [[Substring]] = [[]]
            var current: [[Substring]] = [[]]
            for _ in 0..<length {
                current = current.flatMap { prefix in alphabet.map { prefix + [$0] } }
                all += current
            }
            return all
        }
        let keys = sequences(keyWords, upTo: 4)
        var mismatches: [String] = []
        for pattern in sequences(patternWords, upTo: 4) {
            let text = pattern.joined(separator: ".")
            // "" as a pattern is zero words; a one-word empty pattern cannot be written.
            if pattern == [""] { continue }
            let trie = TopicTrie(bindings: [Binding(destination: .queue("q"), key: text)])
            for key in keys where key != [""] {
                var found: [Destination] = []
                trie.match(key.joined(separator: "."), into: &found)
                if found.isEmpty == Self.reference(pattern[...], key[...]) {
                    mismatches.append("'\(text)' vs '\(key.joined(separator: "."))'")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }
}
