/// A user who may log in, with the vhosts they may open.
public struct User: Sendable, Equatable {
    public var name: String
    public var passwordHash: PasswordHash
    /// The vhosts this user may open; nil means every vhost.
    public var vhosts: Set<String>?
    /// Management tags such as `administrator`.
    public var tags: [String]
    /// Whether the user may only connect from a loopback address (as RabbitMQ treats guest).
    public var loopbackOnly: Bool

    public init(name: String, passwordHash: PasswordHash, vhosts: Set<String>? = nil, tags: [String] = [], loopbackOnly: Bool = false) {
        self.name = name
        self.passwordHash = passwordHash
        self.vhosts = vhosts
        self.tags = tags
        self.loopbackOnly = loopbackOnly
    }

    /// Whether this user may open the vhost.
    public func mayOpen(vhost: String) -> Bool {
        vhosts?.contains(vhost) ?? true
    }
}

/// The users and vhosts the server knows; `guest`/`guest` on `/`, loopback only, by default.
public struct UserDirectory: Sendable {
    public private(set) var users: [String: User]
    public private(set) var vhosts: Set<String>

    public init() {
        users = ["guest": User(name: "guest", passwordHash: PasswordHash(password: "guest"), tags: ["administrator"], loopbackOnly: true)]
        vhosts = ["/"]
    }

    /// Adds or replaces a user.
    public mutating func add(_ user: User) {
        users[user.name] = user
    }

    /// Adds a vhost.
    public mutating func addVhost(_ name: String) {
        vhosts.insert(name)
    }

    /// The user these credentials name, or nil when the name is unknown, the password wrong,
    /// or the user may not connect from this peer.
    public func authenticate(username: String, password: String, fromLoopback: Bool) -> User? {
        guard let user = users[username], user.passwordHash.matches(password) else { return nil }
        if user.loopbackOnly && !fromLoopback { return nil }
        return user
    }
}
