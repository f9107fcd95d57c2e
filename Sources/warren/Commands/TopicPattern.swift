/// AMQP topic matching for a single key, for filtering what is read back from Redis:
/// words split on `.`, `*` is exactly one word, `#` zero or more.
enum TopicPattern {
    static func matches(_ pattern: String, _ key: String) -> Bool {
        matches(pattern.split(separator: ".", omittingEmptySubsequences: false)[...],
                key.split(separator: ".", omittingEmptySubsequences: false)[...])
    }

    private static func matches(_ pattern: ArraySlice<Substring>, _ words: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return words.isEmpty }
        if first == "#" {
            let rest = pattern.dropFirst()
            return (0...words.count).contains { matches(rest, words.dropFirst($0)) }
        }
        guard let word = words.first, first == "*" || first == word else { return false }
        return matches(pattern.dropFirst(), words.dropFirst())
    }
}
