/// One instruction of a compiled `PermissionRegex`.
enum RegexInstruction: Sendable {
    case scalar(Unicode.Scalar)
    /// `.`: any scalar but a line feed (PCRE's default).
    case any
    case set(RegexScalarSet)
    case split(Int, Int)
    case jump(Int)
    /// `^`: the start of the subject.
    case start
    /// `$`: the end of the subject, or before a final line feed.
    case end
    case match

    /// Whether the instruction reads `scalar`; ignoring case, also when one of its other cases is what it reads.
    func consumes(_ scalar: Unicode.Scalar, ignoringCase: Bool = false) -> Bool {
        switch self {
        case .scalar(let expected): scalar == expected || (ignoringCase && Self.otherCases(of: scalar).contains(expected))
        case .any: scalar != "\n"
        case .set(let set): set.contains(scalar, ignoringCase: ignoringCase)
        default: false
        }
    }

    /// The scalar's simple lower- and uppercase forms other than itself (PCRE's caseless matching).
    static func otherCases(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping].compactMap { mapped in
            let scalars = mapped.unicodeScalars
            guard scalars.count == 1, let only = scalars.first, only != scalar else { return nil }
            return only
        }
    }
}

/// A bracket expression or class escape (`[a-z_]`, `[^.]`, `\d`).
struct RegexScalarSet: Sendable {
    var ranges: [ClosedRange<UInt32>] = []
    var negated = false

    /// Whether the set holds `scalar`; ignoring case, a negated set (`[^a-z]`) excludes every case of what it lists.
    func contains(_ scalar: Unicode.Scalar, ignoringCase: Bool = false) -> Bool {
        let listed = { (candidate: Unicode.Scalar) in ranges.contains { $0.contains(candidate.value) } }
        let found = listed(scalar) || (ignoringCase && RegexInstruction.otherCases(of: scalar).contains(where: listed))
        return found != negated
    }

    static let digits = RegexScalarSet(ranges: [48...57])
    static let word = RegexScalarSet(ranges: [48...57, 65...90, 95...95, 97...122])
    static let space = RegexScalarSet(ranges: [9...13, 32...32])
}

/// A parsed pattern.
indirect enum RegexNode {
    case empty
    case scalar(Unicode.Scalar)
    case any
    case set(RegexScalarSet)
    case start
    case end
    case sequence([RegexNode])
    case alternation([RegexNode])
    /// At least `min`, at most `max` (nil: unbounded) repetitions.
    case repeated(RegexNode, min: Int, max: Int?)
}

/// Emits a node tree as Pike VM instructions, refusing programs longer than `limit`.
struct RegexCompiler {
    let limit: Int
    private var program: [RegexInstruction] = []

    init(limit: Int) { self.limit = limit }

    mutating func compile(_ node: RegexNode) throws(PermissionRegexError) -> [RegexInstruction] {
        try emit(node)
        try append(.match)
        return program
    }

    private mutating func append(_ instruction: RegexInstruction) throws(PermissionRegexError) {
        guard program.count < limit else { throw PermissionRegexError("pattern is too complex (more than \(limit) states)") }
        program.append(instruction)
    }

    private mutating func emit(_ node: RegexNode) throws(PermissionRegexError) {
        switch node {
        case .empty: return
        case .scalar(let scalar): try append(.scalar(scalar))
        case .any: try append(.any)
        case .set(let set): try append(.set(set))
        case .start: try append(.start)
        case .end: try append(.end)
        case .sequence(let nodes): for node in nodes { try emit(node) }
        case .alternation(let branches):
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index == branches.count - 1 {
                    try emit(branch)
                } else {
                    let split = program.count
                    try append(.split(split + 1, 0))
                    try emit(branch)
                    jumps.append(program.count)
                    try append(.jump(0))
                    program[split] = .split(split + 1, program.count)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case .repeated(let inner, let min, let max):
            for _ in 0..<min { try emit(inner) }
            if let max {
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(program.count)
                    try append(.split(program.count + 1, 0))
                    try emit(inner)
                }
                for split in splits { program[split] = .split(split + 1, program.count) }
            } else {
                let split = program.count
                try append(.split(split + 1, 0))
                try emit(inner)
                try append(.jump(split))
                program[split] = .split(split + 1, program.count)
            }
        }
    }
}
