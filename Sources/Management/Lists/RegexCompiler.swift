/// Turns a `RegexNode` tree into `LinearRegex` instructions, refusing programs over `LinearRegex.maxProgram`.
struct RegexCompiler {
    private(set) var program: [RegexInstruction] = []

    mutating func append(_ instruction: RegexInstruction) throws(LinearRegex.SyntaxError) {
        guard program.count < LinearRegex.maxProgram else {
            throw LinearRegex.SyntaxError(reason: "the pattern expands to more than \(LinearRegex.maxProgram) steps")
        }
        program.append(instruction)
    }

    mutating func emit(_ node: RegexNode) throws(LinearRegex.SyntaxError) {
        switch node {
        case .empty: return
        case .test(let test): try append(.scalar(test))
        case .lineStart: try append(.lineStart)
        case .lineEnd: try append(.lineEnd)
        case .sequence(let items): for item in items { try emit(item) }
        case .choice(let branches): try emitChoice(branches)
        case .repetition(let item, let min, let max): try emitRepetition(item, min: min, max: max)
        }
    }

    /// split to each branch; every branch but the last jumps past the others.
    private mutating func emitChoice(_ branches: [RegexNode]) throws(LinearRegex.SyntaxError) {
        var exits: [Int] = []
        for branch in branches.dropLast() {
            let split = program.count
            try append(.split(split + 1, 0))
            try emit(branch)
            exits.append(program.count)
            try append(.jump(0))
            program[split] = .split(split + 1, program.count)
        }
        if let last = branches.last { try emit(last) }
        for exit in exits { program[exit] = .jump(program.count) }
    }

    /// `min` copies, then either a loop (no maximum) or `max - min` optional copies.
    private mutating func emitRepetition(_ item: RegexNode, min: Int, max: Int?) throws(LinearRegex.SyntaxError) {
        for _ in 0..<min { try emit(item) }
        guard let max else {
            let loop = program.count
            try append(.split(loop + 1, 0))
            try emit(item)
            try append(.jump(loop))
            program[loop] = .split(loop + 1, program.count)
            return
        }
        var splits: [Int] = []
        for _ in min..<max {
            splits.append(program.count)
            try append(.split(program.count + 1, 0))
            try emit(item)
        }
        for split in splits { program[split] = .split(split + 1, program.count) }
    }
}
