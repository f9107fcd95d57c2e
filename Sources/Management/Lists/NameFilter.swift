import Broker

/// The `name` of a paged list request: a case-insensitive substring, or with `use_regex=true` a
/// case-insensitive regular expression found anywhere in the name (as RabbitMQ's `re:run(…, [caseless])`).
/// Names are at most 255 bytes, so a longer filter is refused; expressions run on `PermissionRegex` (the
/// permissions' matcher), whose work is bounded by pattern × name length (no backtracking).
enum NameFilter: Sendable {
    case substring(String)
    case regex(PermissionRegex)

    static let maxLength = 255

    /// Nil for an empty name (no filtering); 400 for a filter too long or an expression warren cannot run.
    static func parse(_ name: String, regex: Bool) throws -> NameFilter? {
        guard !name.isEmpty else { return nil }
        let length = name.utf8.count
        guard length <= maxLength else {
            throw APIError.badRequest("name is \(length) bytes long; at most \(maxLength) are allowed")
        }
        guard regex else { return .substring(name.lowercased()) }
        do throws(PermissionRegexError) {
            return .regex(try PermissionRegex(name, ignoringCase: true))
        } catch {
            throw APIError.badRequest("name is not a regular expression warren can run: \(error.reason)")
        }
    }

    func matches(_ name: String) -> Bool {
        switch self {
        case .substring(let part): return name.lowercased().contains(part)
        case .regex(let expression): return expression.matches(name)
        }
    }
}
