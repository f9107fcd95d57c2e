/// A parsed `LinearRegex` pattern.
indirect enum RegexNode: Sendable {
    case empty
    case test(ScalarTest)
    case lineStart, lineEnd
    case sequence([RegexNode])
    case choice([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?)
}

/// Reads a pattern into a `RegexNode` tree; refuses what `LinearRegex` does not run, with the reason.
struct RegexParser {
    private let pattern: [Unicode.Scalar]
    private var index = 0
    private var depth = 0

    init(_ pattern: [Unicode.Scalar]) { self.pattern = pattern }

    mutating func parseAll() throws(LinearRegex.SyntaxError) -> RegexNode {
        let tree = try choice()
        guard index == pattern.count else { throw fail("unmatched ) at \(index)") }
        return tree
    }

    private func fail(_ reason: String) -> LinearRegex.SyntaxError { LinearRegex.SyntaxError(reason: reason) }

    private var next: Unicode.Scalar? { index < pattern.count ? pattern[index] : nil }

    private mutating func choice() throws(LinearRegex.SyntaxError) -> RegexNode {
        var branches = [try sequence()]
        while next == "|" {
            index += 1
            branches.append(try sequence())
        }
        return branches.count == 1 ? branches[0] : .choice(branches)
    }

    private mutating func sequence() throws(LinearRegex.SyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let scalar = next, scalar != "|", scalar != ")" {
            var item = try atom()
            while let quantifier = try quantifier() {
                // Repeating what reads nothing reads nothing: no work per count (`((){1000}){1000}`).
                if case .empty = item { continue }
                item = .repetition(item, min: quantifier.min, max: quantifier.max)
            }
            if case .empty = item { continue }
            items.append(item)
        }
        return items.isEmpty ? .empty : .sequence(items)
    }

    private mutating func atom() throws(LinearRegex.SyntaxError) -> RegexNode {
        let scalar = pattern[index]
        index += 1
        switch scalar {
        case "(": return try group()
        case "[": return .test(.set(try bracket()))
        case ".": return .test(.anyButNewline)
        case "^": return .lineStart
        case "$": return .lineEnd
        case "\\": return .test(try escape())
        case "*", "+", "?": throw fail("nothing to repeat before \(scalar) at \(index - 1)")
        default: return .test(.literal(Self.lower(scalar)))
        }
    }

    private mutating func group() throws(LinearRegex.SyntaxError) -> RegexNode {
        if next == "?" {
            guard index + 1 < pattern.count, pattern[index + 1] == ":" else {
                throw fail("(? at \(index - 1): look-arounds, named groups and inline flags are not supported")
            }
            index += 2
        }
        depth += 1
        guard depth <= 100 else { throw fail("groups nest deeper than 100") }
        let inside = try choice()
        depth -= 1
        guard next == ")" else { throw fail("missing ) for the ( before \(index)") }
        index += 1
        return inside
    }

    private mutating func quantifier() throws(LinearRegex.SyntaxError) -> (min: Int, max: Int?)? {
        guard let scalar = next else { return nil }
        let bounds: (min: Int, max: Int?)
        switch scalar {
        case "*": bounds = (0, nil); index += 1
        case "+": bounds = (1, nil); index += 1
        case "?": bounds = (0, 1); index += 1
        case "{":
            guard let counted = try counted() else { return nil }
            bounds = counted
        default: return nil
        }
        if next == "?" { index += 1 }  // lazy: the same names match
        if next == "+" { throw fail("possessive quantifier at \(index) is not supported") }
        return bounds
    }

    /// `{n}`, `{n,}` or `{n,m}`; nil (a literal `{`, as in PCRE) when it is none of them.
    private mutating func counted() throws(LinearRegex.SyntaxError) -> (min: Int, max: Int?)? {
        let start = index
        index += 1
        let low = number()
        var high = low
        if low != nil, next == "," {
            index += 1
            high = number() ?? -1
        }
        guard let min = low, let max = high, next == "}" else {
            index = start
            return nil
        }
        index += 1
        guard min <= LinearRegex.maxRepeat, max <= LinearRegex.maxRepeat else {
            throw fail("a repeat count above \(LinearRegex.maxRepeat) at \(start)")
        }
        guard max == -1 || min <= max else { throw fail("{\(min),\(max)} at \(start): the minimum exceeds the maximum") }
        return (min, max == -1 ? nil : max)
    }

    /// Decimal digits (at most 7, so no overflow), or nil when there are none.
    private mutating func number() -> Int? {
        var value: Int?
        var digits = 0
        while let scalar = next, let digit = Int(String(scalar)), ("0"..."9").contains(scalar), digits < 7 {
            value = (value ?? 0) * 10 + digit
            digits += 1
            index += 1
        }
        return value
    }

    private mutating func escape() throws(LinearRegex.SyntaxError) -> ScalarTest {
        guard let scalar = next else { throw fail("\\ at the end of the pattern") }
        index += 1
        switch scalar {
        case "d", "D": return .set(ScalarSet(items: [.digit(scalar == "d")], negated: false))
        case "w", "W": return .set(ScalarSet(items: [.word(scalar == "w")], negated: false))
        case "s", "S": return .set(ScalarSet(items: [.space(scalar == "s")], negated: false))
        case "n": return .literal("\n")
        case "t": return .literal("\t")
        default:
            guard !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else {
                throw fail("\\\(scalar) at \(index - 2) is not supported (back-references, \\b and the like)")
            }
            return .literal(scalar)
        }
    }

    private mutating func bracket() throws(LinearRegex.SyntaxError) -> ScalarSet {
        var set = ScalarSet(items: [], negated: next == "^")
        if set.negated { index += 1 }
        var first = true
        while let scalar = next, scalar != "]" || first {
            first = false
            index += 1
            var low = scalar
            if scalar == "\\" {
                switch try escape() {
                case .literal(let literal): low = literal
                case .set(let inner): set.items += inner.items; continue
                case .anyButNewline: continue
                }
            }
            if next == "-", index + 1 < pattern.count, pattern[index + 1] != "]" {
                let high = pattern[index + 1]
                index += 2
                guard low <= high else { throw fail("range \(low)-\(high) is out of order") }
                set.items.append(.range(Self.lower(low), Self.lower(high)))
                set.items.append(.range(low, high))
            } else {
                set.items.append(.range(Self.lower(low), Self.lower(low)))
            }
        }
        guard next == "]" else { throw fail("missing ] for a class") }
        index += 1
        return set
    }

    static func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        scalar.properties.lowercaseMapping.unicodeScalars.first ?? scalar
    }
}
