/// A permission pattern (RabbitMQ's `configure`/`write`/`read` and topic regexes; policy patterns
/// too, through `PolicyPatterns`), matched the
/// way RabbitMQ's `re:run` does (unanchored search) but in time linear in the subject: the
/// pattern is compiled once to a Thompson automaton and run as a Pike VM, so no pattern a peer
/// supplies can make matching backtrack. Lookaround and back-references are refused; patterns
/// are at most `maxLength` characters and compile to at most `maxProgramSize` instructions. The
/// management API's `name` filter uses it too, ignoring case (`re:run(…, [caseless])`).
public struct PermissionRegex: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written; RabbitMQ's empty pattern means `^$`.
    public let source: String
    let program: [RegexInstruction]
    /// Letters match their other cases too.
    public let ignoringCase: Bool
    /// `.*` (and the like): matching is skipped, as it is on every publish of a full-access user.
    private let matchesEverything: Bool

    public static let maxLength = 1024
    public static let maxProgramSize = 8192

    /// Matches everything (`.*`).
    public static let everything = try! PermissionRegex(".*")
    /// Matches nothing but the empty name (`""`, which RabbitMQ reads as `^$`).
    public static let nothing = try! PermissionRegex("")

    public init(_ source: String, ignoringCase: Bool = false) throws(PermissionRegexError) {
        guard source.unicodeScalars.count <= Self.maxLength else {
            throw PermissionRegexError("pattern is longer than \(Self.maxLength) characters")
        }
        self.source = source
        self.ignoringCase = ignoringCase
        var parser = RegexParser(source.isEmpty ? "^$" : source)
        let tree = try parser.parse()
        var compiler = RegexCompiler(limit: Self.maxProgramSize)
        program = try compiler.compile(tree)
        matchesEverything = [".*", "^.*", ".*$"].contains(source)
    }

    public var description: String { source }

    public static func == (lhs: PermissionRegex, rhs: PermissionRegex) -> Bool { lhs.source == rhs.source && lhs.ignoringCase == rhs.ignoringCase }

    /// Whether the pattern matches anywhere in `subject`.
    public func matches(_ subject: String) -> Bool {
        if matchesEverything { return true }
        let scalars = Array(subject.unicodeScalars)
        var current = RegexThreads(size: program.count)
        var next = RegexThreads(size: program.count)
        for position in 0...scalars.count {
            if current.addClosure(from: 0, at: position, scalars: scalars, program: program) { return true }
            guard position < scalars.count else { break }
            let scalar = scalars[position]
            next.clear()
            for pc in current.list where program[pc].consumes(scalar, ignoringCase: ignoringCase) {
                if next.addClosure(from: pc + 1, at: position + 1, scalars: scalars, program: program) { return true }
            }
            swap(&current, &next)
        }
        return false
    }
}

/// A pattern that cannot be used, with the reason.
public struct PermissionRegexError: Error, Equatable, Sendable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// The live threads of the Pike VM at one position: each instruction at most once.
struct RegexThreads {
    /// The instructions that consume a scalar, in priority order.
    private(set) var list: [Int] = []
    private var seen: [Bool]
    private var visited: [Int] = []

    init(size: Int) { seen = Array(repeating: false, count: size) }

    mutating func clear() {
        for pc in visited { seen[pc] = false }
        visited.removeAll(keepingCapacity: true)
        list.removeAll(keepingCapacity: true)
    }

    /// Adds `pc` and everything reachable from it without consuming; true when that reaches `match`.
    mutating func addClosure(from start: Int, at position: Int, scalars: [Unicode.Scalar], program: [RegexInstruction]) -> Bool {
        var stack = [start]
        var matched = false
        while let pc = stack.popLast() {
            guard !seen[pc] else { continue }
            seen[pc] = true
            visited.append(pc)
            switch program[pc] {
            case .match: matched = true
            case .jump(let target): stack.append(target)
            case .split(let first, let second): stack.append(second); stack.append(first)
            case .start: if position == 0 { stack.append(pc + 1) }
            case .end:
                let atEnd = position == scalars.count || (position == scalars.count - 1 && scalars[position] == "\n")
                if atEnd { stack.append(pc + 1) }
            case .scalar, .any, .set: list.append(pc)
            }
        }
        return matched
    }
}
