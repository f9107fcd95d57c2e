/// Users, permissions and topic permissions in the shape of RabbitMQ's definitions export.
extension Definitions {
    /// A user: its password hash, the hashing module's name and its tags.
    public struct UserEntry: Codable, Equatable, Sendable {
        public var name: String
        public var passwordHash: String
        public var hashingAlgorithm: String
        /// Comma-separated in RabbitMQ 3.x exports, a list in newer ones; both are read.
        public var tags: [String]

        public init(name: String, passwordHash: String, hashingAlgorithm: String, tags: [String]) {
            self.name = name
            self.passwordHash = passwordHash
            self.hashingAlgorithm = hashingAlgorithm
            self.tags = tags
        }

        enum CodingKeys: String, CodingKey {
            case name, tags
            case passwordHash = "password_hash"
            case hashingAlgorithm = "hashing_algorithm"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            passwordHash = try container.decodeIfPresent(String.self, forKey: .passwordHash) ?? ""
            hashingAlgorithm = try container.decodeIfPresent(String.self, forKey: .hashingAlgorithm) ?? UserAccount.sha256
            tags = try Self.decodeTags(container)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(passwordHash, forKey: .passwordHash)
            try container.encode(hashingAlgorithm, forKey: .hashingAlgorithm)
            try container.encode(tags.joined(separator: ","), forKey: .tags)
        }

        static func decodeTags(_ container: KeyedDecodingContainer<CodingKeys>) throws -> [String] {
            if let list = try? container.decodeIfPresent([String].self, forKey: .tags) { return list }
            let text = try container.decodeIfPresent(String.self, forKey: .tags) ?? ""
            return UserEntry.splitTags(text)
        }

        /// Tags from RabbitMQ's comma-separated form.
        public static func splitTags(_ text: String) -> [String] {
            text.split(separator: ",").map { String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
                .filter { !$0.isEmpty }
        }
    }

    /// A user's configure, write and read patterns in a vhost.
    public struct PermissionEntry: Codable, Equatable, Sendable {
        public var user, vhost, configure, write, read: String
        public init(user: String, vhost: String, configure: String, write: String, read: String) {
            (self.user, self.vhost, self.configure, self.write, self.read) = (user, vhost, configure, write, read)
        }
    }

    /// A user's write and read patterns on the routing keys of one exchange of a vhost.
    public struct TopicPermissionEntry: Codable, Equatable, Sendable {
        public var user, vhost, exchange, write, read: String
        public init(user: String, vhost: String, exchange: String, write: String, read: String) {
            (self.user, self.vhost, self.exchange, self.write, self.read) = (user, vhost, exchange, write, read)
        }
    }
}
