/// A user who may log in: a salted password hash as RabbitMQ stores it, and management tags.
public struct UserAccount: Sendable, Equatable {
    public var name: String
    /// Base64 of salt and digest (`PasswordHash`); empty when the user cannot log in with a password.
    public var passwordHash: String
    /// RabbitMQ's name of the hashing function (`rabbit_password_hashing_sha256`).
    public var hashingAlgorithm: String
    public var tags: [String]
    /// warren's compatibility rule for config-file users without a `vhosts` key: full permissions
    /// on every vhost, present and future. Never set for users created at runtime.
    public var everyVhost: Bool

    public static let sha256 = "rabbit_password_hashing_sha256"
    /// The `hashing_algorithm`s warren reads (RabbitMQ's SHA-256 and SHA-512 modules).
    public static let hashingAlgorithms: Set<String> = [sha256, "rabbit_password_hashing_sha512"]

    public init(name: String, passwordHash: String, hashingAlgorithm: String = Self.sha256, tags: [String] = [],
                everyVhost: Bool = false) {
        self.name = name
        self.passwordHash = passwordHash
        self.hashingAlgorithm = hashingAlgorithm
        self.tags = tags
        self.everyVhost = everyVhost
    }

    public var isAdministrator: Bool { tags.contains("administrator") }
}

/// What an operation needs on a resource, as in RabbitMQ's permission table.
public enum AccessKind: String, Sendable, CaseIterable {
    case configure, write, read
}

/// A user's `configure`, `write` and `read` patterns in one vhost.
public struct VhostPermissions: Sendable, Equatable {
    public var configure: PermissionRegex
    public var write: PermissionRegex
    public var read: PermissionRegex

    public init(configure: PermissionRegex, write: PermissionRegex, read: PermissionRegex) {
        self.configure = configure
        self.write = write
        self.read = read
    }

    /// `.*` for everything.
    public static let full = VhostPermissions(configure: .everything, write: .everything, read: .everything)

    public func pattern(_ kind: AccessKind) -> PermissionRegex {
        switch kind {
        case .configure: configure
        case .write: write
        case .read: read
        }
    }
}

/// A user's topic permission on one exchange of one vhost: patterns on routing keys, stored as
/// written and compiled with `{username}` and `{vhost}` replaced (escaped) by the user's and vhost's names.
public struct TopicPermission: Sendable, Equatable {
    public let exchange: String
    public let write: String
    public let read: String
    let compiledWrite: PermissionRegex
    let compiledRead: PermissionRegex

    public init(exchange: String, write: String, read: String, user: String, vhost: String) throws(PermissionRegexError) {
        self.exchange = exchange
        self.write = write
        self.read = read
        compiledWrite = try PermissionRegex(Self.expand(write, user: user, vhost: vhost))
        compiledRead = try PermissionRegex(Self.expand(read, user: user, vhost: vhost))
    }

    public static func == (lhs: TopicPermission, rhs: TopicPermission) -> Bool {
        lhs.exchange == rhs.exchange && lhs.write == rhs.write && lhs.read == rhs.read
    }

    func allows(_ kind: AccessKind, routingKey: String) -> Bool {
        kind == .read ? compiledRead.matches(routingKey) : compiledWrite.matches(routingKey)
    }

    static func expand(_ pattern: String, user: String, vhost: String) -> String {
        guard pattern.contains("{") else { return pattern }
        return pattern.replacingAll("{username}", with: escaped(user)).replacingAll("{vhost}", with: escaped(vhost))
    }

    /// The name as a literal inside a pattern.
    static func escaped(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" {
                result.unicodeScalars.append(scalar)
            } else if scalar.isASCII {
                result += "\\" + String(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
