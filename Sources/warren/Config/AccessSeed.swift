import AMQPServer
import AMQPWire
import Broker

/// What the config file adds to the stored users and permissions at every start: its vhosts
/// and users (replacing same-named stored ones), and on first start (a definitions file without
/// `users`: new, or written before permissions existed) `guest`, as RabbitMQ's first boot.
enum AccessSeed {
    static func apply(users: [(account: UserAccount, vhosts: [String]?)], vhosts: [String], to broker: Broker) throws {
        let firstStart = broker.persistence?.savedDefinitions.users == nil
        do throws(AMQPError) {
            for vhost in vhosts { try broker.putVhost(vhost) }
            if firstStart {
                broker.putUser(.withPassword("guest", name: "guest", tags: ["administrator"]))
                try broker.setPermissions(user: "guest", vhost: "/", configure: ".*", write: ".*", read: ".*")
            }
            for (account, userVhosts) in users {
                broker.putUser(account)
                // A `vhosts` list means what it meant before permissions: full permissions there.
                for vhost in userVhosts ?? [] {
                    try broker.putVhost(vhost)
                    try broker.setPermissions(user: account.name, vhost: vhost, configure: ".*", write: ".*", read: ".*")
                }
            }
        } catch {
            throw ConfigError("users: \(error.text)")
        }
    }
}
