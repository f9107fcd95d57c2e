import Broker

/// What one user's management views show, as RabbitMQ's management plugin scopes them:
/// `administrator` and `monitoring` see every vhost and every connection; `management` and
/// `policymaker` see the vhosts they have permissions in, and only their own connections and channels.
struct ViewScope: Sendable {
    let user: UserAccount
    let vhosts: Set<String>
    /// Every vhost: one the user may not see is 401, one that does not exist is left to answer 404.
    let existing: Set<String>
    /// nil: every user's connections and channels; else only this user's.
    let connectionsOf: String?

    init(user: UserAccount, visibleVhosts: [String], existing: Set<String>) {
        self.user = user
        self.existing = existing
        vhosts = Set(visibleVhosts)
        let seesAll = user.tags.contains("administrator") || user.tags.contains("monitoring")
        connectionsOf = seesAll ? nil : user.name
    }

    func shows(vhost: String) -> Bool { vhosts.contains(vhost) }

    /// Whether the user sees every vhost (so node-wide totals and rates are theirs to see).
    var showsEveryVhost: Bool { existing.isSubset(of: vhosts) }

    /// 401 as RabbitMQ answers for a vhost the user may not see.
    func require(vhost: String) throws {
        guard shows(vhost: vhost) || !existing.contains(vhost) else {
            throw APIError(status: .unauthorized, error: "not_authorised", reason: "User not authorised to access virtual host")
        }
    }

    func shows(connectionOf user: String, vhost: String) -> Bool {
        shows(vhost: vhost) && (connectionsOf == nil || connectionsOf == user)
    }
}
