/// One step of a `LinearRegex` program.
enum RegexInstruction: Sendable {
    case scalar(ScalarTest)
    case split(Int, Int)
    case jump(Int)
    case lineStart
    case lineEnd
    case match
}

/// What one character of a `LinearRegex` must be; names are lowercased before matching.
enum ScalarTest: Sendable {
    case literal(Unicode.Scalar)
    case anyButNewline
    case set(ScalarSet)

    func accepts(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .literal(let expected): return scalar == expected
        case .anyButNewline: return scalar != "\n"
        case .set(let set): return (set.hits(scalar) || set.hits(ScalarSet.upper(scalar))) != set.negated
        }
    }
}

/// A bracket class or a `\d \w \s` escape, possibly negated.
struct ScalarSet: Sendable {
    enum Item: Sendable {
        case range(Unicode.Scalar, Unicode.Scalar)
        case digit(Bool), word(Bool), space(Bool)
    }

    var items: [Item]
    var negated: Bool

    /// Whether one of the items holds `scalar` (before `negated` is applied).
    func hits(_ scalar: Unicode.Scalar) -> Bool {
        items.contains { item in
            switch item {
            case .range(let low, let high): return low <= scalar && scalar <= high
            case .digit(let positive): return ("0"..."9").contains(scalar) == positive
            case .word(let positive):
                return (scalar == "_" || ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)) == positive
            case .space(let positive): return " \t\n\r\u{0B}\u{0C}".unicodeScalars.contains(scalar) == positive
            }
        }
    }

    static func upper(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        scalar.properties.uppercaseMapping.unicodeScalars.first ?? scalar
    }
}
