/// Parses the PCRE subset permission patterns use: literals, `.`, `^`, `$`, bracket expressions,
/// `\d \w \s` (and their negations), escaped punctuation, groups (`(…)`, `(?:…)`), `|`, and the
/// quantifiers `* + ? {n} {n,} {n,m}` (a trailing `?` or `+` for laziness or possession is
/// accepted: it does not change whether a pattern matches).
struct RegexParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    /// PCRE's bound on a counted repetition.
    static let maxRepeat = 1000

    init(_ pattern: String) { scalars = Array(pattern.unicodeScalars) }

    mutating func parse() throws(PermissionRegexError) -> RegexNode {
        let node = try alternation(depth: 0)
        guard position == scalars.count else { throw PermissionRegexError("unmatched ')' at position \(position)") }
        return node
    }

    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func take() -> Unicode.Scalar? {
        guard let scalar = peek else { return nil }
        position += 1
        return scalar
    }

    private mutating func alternation(depth: Int) throws(PermissionRegexError) -> RegexNode {
        guard depth < 100 else { throw PermissionRegexError("groups nested too deeply") }
        var branches = [try sequence(depth: depth)]
        while peek == "|" {
            position += 1
            branches.append(try sequence(depth: depth))
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func sequence(depth: Int) throws(PermissionRegexError) -> RegexNode {
        var nodes: [RegexNode] = []
        while let scalar = peek, scalar != "|", scalar != ")" {
            var node = try atom(depth: depth)
            while let quantifier = try quantifier() {
                node = .repeated(node, min: quantifier.min, max: quantifier.max)
                if peek == "?" || peek == "+" { position += 1 }
            }
            nodes.append(node)
        }
        return nodes.count == 1 ? nodes[0] : (nodes.isEmpty ? .empty : .sequence(nodes))
    }

    private mutating func atom(depth: Int) throws(PermissionRegexError) -> RegexNode {
        guard let scalar = take() else { throw PermissionRegexError("unexpected end of pattern") }
        switch scalar {
        case "(":
            if peek == "?" {
                position += 1
                guard take() == ":" else { throw PermissionRegexError("lookaround and other (? groups are not supported") }
            }
            let inner = try alternation(depth: depth + 1)
            guard take() == ")" else { throw PermissionRegexError("missing ')'") }
            return inner
        case "[": return .set(try bracket())
        case ".": return .any
        case "^": return .start
        case "$": return .end
        case "\\": return try escape(inBracket: false).node
        case "*", "+", "?", "{":
            if scalar == "{", !startsQuantifier(at: position - 1) { return .scalar(scalar) }
            throw PermissionRegexError("nothing to repeat at position \(position - 1)")
        default: return .scalar(scalar)
        }
    }

    /// Whether a `{` at `index` starts `{n}`, `{n,}` or `{n,m}` (else PCRE takes it literally).
    private func startsQuantifier(at index: Int) -> Bool {
        var cursor = index + 1
        var digits = 0
        while cursor < scalars.count, ("0"..."9").contains(scalars[cursor]) {
            cursor += 1
            digits += 1
        }
        guard digits > 0, cursor < scalars.count else { return false }
        if scalars[cursor] == "}" { return true }
        guard scalars[cursor] == "," else { return false }
        cursor += 1
        while cursor < scalars.count, ("0"..."9").contains(scalars[cursor]) { cursor += 1 }
        return cursor < scalars.count && scalars[cursor] == "}"
    }

    private mutating func quantifier() throws(PermissionRegexError) -> (min: Int, max: Int?)? {
        guard let next = peek else { return nil }
        switch next {
        case "*": position += 1; return (0, nil)
        case "+": position += 1; return (1, nil)
        case "?": position += 1; return (0, 1)
        case "{" where startsQuantifier(at: position):
            position += 1
            let min = try number()
            var max: Int? = min
            if peek == "," {
                position += 1
                max = peek == "}" ? nil : try number()
            }
            position += 1  // "}"
            if let max, max < min { throw PermissionRegexError("numbers out of order in {} quantifier") }
            return (min, max)
        default: return nil
        }
    }

    private mutating func number() throws(PermissionRegexError) -> Int {
        var value = 0
        while let scalar = peek, ("0"..."9").contains(scalar) {
            position += 1
            value = value * 10 + Int(scalar.value - 48)
            guard value <= Self.maxRepeat else { throw PermissionRegexError("number too big in {} quantifier (at most \(Self.maxRepeat))") }
        }
        return value
    }

    private mutating func bracket() throws(PermissionRegexError) -> RegexScalarSet {
        var set = RegexScalarSet()
        if peek == "^" { position += 1; set.negated = true }
        var first = true
        while true {
            guard let scalar = take() else { throw PermissionRegexError("missing terminating ] for character class") }
            if scalar == "]", !first { return set }
            first = false
            let low: UInt32
            if scalar == "\\" {
                let escaped = try escape(inBracket: true)
                guard let single = escaped.scalar else {
                    if case .set(let inner) = escaped.node, !inner.negated { set.ranges += inner.ranges; continue }
                    throw PermissionRegexError("negated class escapes are not supported inside [ ]")
                }
                low = single.value
            } else {
                low = scalar.value
            }
            if peek == "-", position + 1 < scalars.count, scalars[position + 1] != "]" {
                position += 1
                guard let upper = take() else { throw PermissionRegexError("missing terminating ] for character class") }
                var high = upper.value
                if upper == "\\" {
                    guard let single = try escape(inBracket: true).scalar else { throw PermissionRegexError("invalid range in character class") }
                    high = single.value
                }
                guard low <= high else { throw PermissionRegexError("range out of order in character class") }
                set.ranges.append(low...high)
            } else {
                set.ranges.append(low...low)
            }
        }
    }

    /// After a backslash: a class escape, a control escape, or an escaped punctuation character.
    private mutating func escape(inBracket: Bool) throws(PermissionRegexError) -> (node: RegexNode, scalar: Unicode.Scalar?) {
        guard let scalar = take() else { throw PermissionRegexError("\\ at end of pattern") }
        switch scalar {
        case "d": return (.set(.digits), nil)
        case "w": return (.set(.word), nil)
        case "s": return (.set(.space), nil)
        case "D", "W", "S":
            var set: RegexScalarSet = scalar == "D" ? .digits : (scalar == "W" ? .word : .space)
            set.negated = true
            return (.set(set), nil)
        case "n": return (.scalar("\n"), "\n")
        case "t": return (.scalar("\t"), "\t")
        case "r": return (.scalar("\r"), "\r")
        case "A" where !inBracket: return (.start, nil)
        case "z" where !inBracket: return (.end, nil)
        default:
            guard !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else {
                throw PermissionRegexError("unsupported escape \\\(scalar)")
            }
            return (.scalar(scalar), scalar)
        }
    }
}
