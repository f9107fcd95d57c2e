import Broker

/// Reading user names, tags and permission patterns from management requests.
extension RequestInput {
    /// A user name: 1 to 255 UTF-8 bytes, as RabbitMQ's; 400 otherwise.
    static func userName(_ name: String) throws -> String {
        guard !name.isEmpty else { throw APIError.badRequest("user name must not be empty") }
        return try shortString(name, "user name")
    }

    /// Tags as RabbitMQ takes them: a comma-separated string or a list of strings; nil when absent.
    static func tags(_ raw: Any?) throws -> [String]? {
        guard let raw else { return nil }
        if let text = raw as? String { return Definitions.UserEntry.splitTags(text) }
        guard let list = raw as? [Any], list.count <= 64 else { throw APIError.badRequest("tags must be a string or a list of at most 64 strings") }
        return try list.map { item in
            guard let tag = item as? String, tag.utf8.count <= 255 else { throw APIError.badRequest("each tag must be a string of at most 255 bytes") }
            return tag
        }
    }

    /// A required string field (a permission pattern, an exchange name); 400 when absent or not a string.
    static func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else { throw APIError.badRequest("\(key) is required and must be a string") }
        return value
    }
}
