/// A case-insensitive regular expression run without backtracking (a Pike VM: every thread advances
/// one character at a time), so finding it in a name costs at most pattern size × name length steps,
/// whatever the pattern (`(a+)+$` included). It knows PCRE's common part: literals, `.`, classes
/// (`[a-z]`, `[^…]`, `\d \w \s` and their negations), `^`, `$`, groups (`(…)`, `(?:…)`), `|`, and
/// the quantifiers `* + ? {n} {n,} {n,m}` (lazy ones match the same names); back-references,
/// look-arounds, `\b` and possessive quantifiers are refused.
struct LinearRegex: Sendable {
    /// Why a pattern was refused.
    struct SyntaxError: Error {
        let reason: String
    }

    /// Most instructions a compiled pattern may have (bounds each name's matching work).
    static let maxProgram = 2_000
    /// Largest count in `{n,m}`: no name is longer, so a larger count matches nothing a count of 255 does not.
    static let maxRepeat = 255

    let program: [RegexInstruction]

    init(_ pattern: String) throws(SyntaxError) {
        var parser = RegexParser(Array(pattern.unicodeScalars))
        let tree = try parser.parseAll()
        var compiler = RegexCompiler()
        try compiler.emit(tree)
        try compiler.append(.match)
        program = compiler.program
    }

    /// Whether the expression matches somewhere in `name`, ignoring case.
    func isFound(in name: String) -> Bool {
        let text = Array(name.lowercased().unicodeScalars)
        var seen = [Int](repeating: -1, count: program.count)
        var current: [Int] = []
        if follow(from: 0, at: 0, text: text, seen: &seen, into: &current) { return true }
        for position in text.indices {
            var next: [Int] = []
            for pc in current {
                guard case .scalar(let test) = program[pc], test.accepts(text[position]) else { continue }
                if follow(from: pc + 1, at: position + 1, text: text, seen: &seen, into: &next) { return true }
            }
            if follow(from: 0, at: position + 1, text: text, seen: &seen, into: &next) { return true }
            current = next
        }
        return false
    }

    /// Adds the threads reachable from `start` without reading a character to `threads` (each
    /// instruction once per position); true when one of them is the match.
    private func follow(from start: Int, at position: Int, text: [Unicode.Scalar], seen: inout [Int], into threads: inout [Int]) -> Bool {
        var stack = [start]
        while let pc = stack.popLast() {
            guard seen[pc] != position else { continue }
            seen[pc] = position
            switch program[pc] {
            case .match: return true
            case .scalar: threads.append(pc)
            case .jump(let target): stack.append(target)
            case .split(let first, let second): stack.append(second); stack.append(first)
            case .lineStart: if position == 0 { stack.append(pc + 1) }
            case .lineEnd: if position == text.count { stack.append(pc + 1) }
            }
        }
        return false
    }
}
