/// Topic binding keys in a trie over dot-separated words, with `*` (exactly one word) and
/// `#` (zero or more words), so matching costs the depth of the key, not the number of bindings.
///
/// Matching walks states (trie node, words consumed) and visits each state at most once, so a
/// publish costs at most O(reachable nodes × words) however many `#` a binding key holds
/// (`#.#.#.#…` against a 128-word key is no worse than `#`).
struct TopicTrie: Sendable {
    private struct Node: Sendable {
        var children: [Substring: Int] = [:]
        var star: Int?
        var hash: Int?
        /// Reached through a `#` edge: this node may also swallow the next word and stay put.
        var isHash = false
        var destinations: [Destination] = []
    }

    /// Node 0 is the root; the others are referenced by index.
    private var nodes = [Node()]

    init(bindings: [Binding]) {
        var stored: Set<StoredDestination> = []
        for binding in bindings {
            var node = 0
            for word in Self.words(binding.key) {
                node = child(of: node, for: word)
            }
            if stored.insert(StoredDestination(node: node, destination: binding.destination)).inserted {
                nodes[node].destinations.append(binding.destination)
            }
        }
    }

    private struct StoredDestination: Hashable {
        let node: Int
        let destination: Destination
    }

    /// The node a word leads to from `node`, created when absent.
    private mutating func child(of node: Int, for word: Substring) -> Int {
        let existing: Int? = switch word {
        case "*": nodes[node].star
        case "#": nodes[node].hash
        default: nodes[node].children[word]
        }
        if let existing { return existing }
        let next = nodes.count
        nodes.append(Node(isHash: word == "#"))
        switch word {
        case "*": nodes[node].star = next
        case "#": nodes[node].hash = next
        default: nodes[node].children[word] = next
        }
        return next
    }

    /// Every destination whose binding key matches the routing key (duplicates possible across
    /// bindings with different keys). Returns the number of states visited, which is at most
    /// (nodes) × (words + 1).
    @discardableResult
    func match(_ routingKey: String, into result: inout [Destination]) -> Int {
        let words = Self.words(routingKey)
        let stride = words.count + 1
        var visited: Set<Int> = []
        var pending: [(node: Int, consumed: Int)] = [(0, 0)]
        func visit(_ node: Int, _ consumed: Int) {
            if visited.insert(node * stride + consumed).inserted { pending.append((node, consumed)) }
        }
        visited.insert(0)
        while let (index, consumed) = pending.popLast() {
            let node = nodes[index]
            if let hash = node.hash { visit(hash, consumed) }  // `#` taking zero words
            guard consumed < words.count else {
                result.append(contentsOf: node.destinations)
                continue
            }
            if node.isHash { visit(index, consumed + 1) }  // `#` taking one more word
            if let child = node.children[words[consumed]] { visit(child, consumed + 1) }
            if let star = node.star { visit(star, consumed + 1) }
        }
        return visited.count
    }

    /// The words of a key; an empty key has none (as RabbitMQ: `*` does not match "").
    private static func words(_ key: String) -> [Substring] {
        key.isEmpty ? [] : key.split(separator: ".", omittingEmptySubsequences: false)
    }
}
