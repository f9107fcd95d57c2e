import Broker

/// Checks a user name and password against the access model. An unknown user, or one without a
/// password, costs one hash like a wrong password does, so timing does not tell which names exist.
public enum Authenticator {
    private static let standIn = PasswordHash(password: "warren: no such user")

    /// The user these credentials name, or nil when the name is unknown, the password wrong, or
    /// the user may only connect from loopback (`loopback_users`) and this peer is not local.
    public static func authenticate(_ access: AccessControl, username: String, password: String, fromLoopback: Bool) -> UserAccount? {
        guard let user = access.users[username], let hash = PasswordHash(of: user) else {
            _ = standIn.matches(password)
            return nil
        }
        guard hash.matches(password) else { return nil }
        if access.loopbackUsers.contains(username) && !fromLoopback { return nil }
        return user
    }
}

extension UserAccount {
    /// A user whose password is hashed now, with a fresh salt.
    public static func withPassword(_ password: String, name: String, tags: [String] = [], everyVhost: Bool = false) -> UserAccount {
        UserAccount(name: name, passwordHash: PasswordHash(password: password).base64, tags: tags, everyVhost: everyVhost)
    }
}

extension AccessControl {
    /// RabbitMQ's first-boot state: `guest`/`guest`, administrator, `.*` on `/`, loopback only.
    public static func guestOnly() -> AccessControl {
        var access = AccessControl()
        access.addVhost("/")
        access.put(.withPassword("guest", name: "guest", tags: ["administrator"]))
        access.setPermissions(.full, user: "guest", vhost: "/")
        return access
    }
}
