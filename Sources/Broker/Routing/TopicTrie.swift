/// Topic binding keys in a trie over dot-separated words, with `*` (exactly one word) and
/// `#` (zero or more words), so matching costs the depth of the key, not the number of bindings.
///
/// Matching walks states (trie node, words consumed) and visits each state at most once, so a
/// publish costs at most O(reachable nodes × words) however many `#` and `*` a binding key mixes;
/// consecutive `#` are stored as one, so `#.#.#.#…` is no worse than `#`.
struct TopicTrie: Sendable {
    private struct Node: Sendable {
        var children: [Substring: Int] = [:]
        var star: Int?
        var hash: Int?
        /// Reached through a `#` edge: this node may also swallow the next word and stay put.
        var isHash = false
        /// The destinations bound with this node's key, each with how many bindings (arguments
        /// differ) put it there.
        var destinations: [Destination: Int] = [:]
    }

    /// Node 0 is the root; the others are referenced by index.
    private var nodes = [Node()]
    /// Bindings held.
    private var bindingCount = 0
    /// Bindings removed since the trie was built: their emptied nodes stay until it is rebuilt.
    private var removals = 0

    init(bindings: [Binding]) {
        for binding in bindings { add(binding) }
    }

    /// Adds one binding: the cost of its key's words, whatever the number of bindings.
    mutating func add(_ binding: Binding) {
        var node = 0
        for word in Self.path(of: binding.key) {
            node = child(of: node, for: word)
        }
        nodes[node].destinations[binding.destination, default: 0] += 1
        bindingCount += 1
    }

    /// Removes one binding added before. Emptied nodes are left in place; `needsRebuild` says
    /// when they outnumber what is bound, so unbinding costs amortised O(key words).
    mutating func remove(_ binding: Binding) {
        var node = 0
        for word in Self.path(of: binding.key) {
            let next: Int? = switch word {
            case "*": nodes[node].star
            case "#": nodes[node].hash
            default: nodes[node].children[word]
            }
            guard let next else { return }
            node = next
        }
        guard let count = nodes[node].destinations[binding.destination] else { return }
        nodes[node].destinations[binding.destination] = count > 1 ? count - 1 : nil
        bindingCount -= 1
        removals += 1
    }

    /// Whether more bindings were removed than remain: time to build the trie afresh.
    var needsRebuild: Bool { removals > max(64, bindingCount) }

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
                result.append(contentsOf: node.destinations.keys)
                continue
            }
            if node.isHash { visit(index, consumed + 1) }  // `#` taking one more word
            if let child = node.children[words[consumed]] { visit(child, consumed + 1) }
            if let star = node.star { visit(star, consumed + 1) }
        }
        return visited.count
    }

    /// The words of a binding key as the trie stores them: consecutive `#` collapse into one
    /// (`#.#` matches exactly what `#` matches), so `#.#.#…` costs what `#` costs.
    private static func path(of bindingKey: String) -> [Substring] {
        var path: [Substring] = []
        for word in words(bindingKey) where !(word == "#" && path.last == "#") { path.append(word) }
        return path
    }

    /// The words of a key; an empty key has none (as RabbitMQ: `*` does not match "").
    private static func words(_ key: String) -> [Substring] {
        key.isEmpty ? [] : key.split(separator: ".", omittingEmptySubsequences: false)
    }
}
