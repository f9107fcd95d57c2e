/// Policy patterns are matched by a backtracking engine (Swift's `Regex`) on the broker's loop, so a
/// pattern that repeats a repetition or a choice (`(a+)+$`, `(\w*)*`, `(a|a)*$`) can take
/// exponential time on one queue name and stall every client: warren refuses such patterns when a
/// policy is set (RabbitMQ's engine gives up after a step limit instead).
enum PolicyPatternCheck {
    /// Whether a group that is repeated (`*`, `+`, `{n,…}`) holds a repetition or an alternation.
    static func repeatsARepetition(_ pattern: String) -> Bool {
        let characters = Array(pattern)
        var groups: [Bool] = []  // per open group: whether it holds a repetition
        var escaped = false, inClass = false
        for (index, character) in characters.enumerated() {
            if escaped {
                escaped = false
                continue
            }
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "\\": escaped = true
            case "[" where !inClass: inClass = true
            case "]" where inClass: inClass = false
            case _ where inClass: break
            case "(": groups.append(false)
            case ")":
                let holdsRepetition = groups.popLast() ?? false
                let repeated = next.map(isRepetition) ?? false
                if holdsRepetition && repeated { return true }
                if (holdsRepetition || repeated) && !groups.isEmpty { groups[groups.count - 1] = true }
            case _ where isRepetition(character) || character == "|":
                if !groups.isEmpty { groups[groups.count - 1] = true }
            default: break
            }
        }
        return false
    }

    private static func isRepetition(_ character: Character) -> Bool { character == "*" || character == "+" || character == "{" }
}
