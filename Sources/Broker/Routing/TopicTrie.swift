/// Topic binding keys in a trie over dot-separated words, with `*` (exactly one word) and
/// `#` (zero or more words), so matching costs the depth of the key, not the number of bindings.
struct TopicTrie {
    private final class Node {
        var children: [Substring: Node] = [:]
        var star: Node?
        var hash: Node?
        var destinations: [Destination] = []
    }

    private let root = Node()

    init(bindings: [Binding]) {
        for binding in bindings {
            var node = root
            for word in Self.words(binding.key) {
                switch word {
                case "*":
                    let next = node.star ?? Node()
                    node.star = next
                    node = next
                case "#":
                    let next = node.hash ?? Node()
                    node.hash = next
                    node = next
                default:
                    let next = node.children[word] ?? Node()
                    node.children[word] = next
                    node = next
                }
            }
            if !node.destinations.contains(binding.destination) {
                node.destinations.append(binding.destination)
            }
        }
    }

    /// Every destination whose binding key matches the routing key (duplicates possible).
    func match(_ routingKey: String, into result: inout [Destination]) {
        Self.match(root, Self.words(routingKey)[...], into: &result)
    }

    /// The words of a key; an empty key has none (as RabbitMQ: `*` does not match "").
    private static func words(_ key: String) -> [Substring] {
        key.isEmpty ? [] : key.split(separator: ".", omittingEmptySubsequences: false)
    }

    private static func match(_ node: Node, _ words: ArraySlice<Substring>, into result: inout [Destination]) {
        if let hash = node.hash {
            // `#` takes zero, one, … all of the remaining words.
            var rest = words
            while true {
                match(hash, rest, into: &result)
                guard !rest.isEmpty else { break }
                rest = rest.dropFirst()
            }
        }
        guard let word = words.first else {
            result.append(contentsOf: node.destinations)
            return
        }
        let rest = words.dropFirst()
        if let child = node.children[word] { match(child, rest, into: &result) }
        if let star = node.star { match(star, rest, into: &result) }
    }
}
