import AMQPWire

/// The permission checks of RabbitMQ's table, made where RabbitMQ makes them, with its texts.
extension Broker {
    enum ResourceKind: String {
        case queue, exchange
    }

    /// Refuses (403, closing the channel) unless the channel's user has `kind` on the resource.
    func authorize(_ kind: AccessKind, _ resource: ResourceKind, _ name: String, on channel: BrokerChannel) throws(AMQPError) {
        let session = channel.session
        guard session.checked else { return }
        try check(AccessCache.Key(kind: kind, topic: false, scope: resource.rawValue, name: name), of: session) {
            $0.refusal(kind, resource.rawValue, name, user: session.user, vhost: session.vhost.name)
        }
    }

    /// For a topic exchange: refuses unless the routing (or binding) key passes the user's topic
    /// permission on that exchange (none set: allowed).
    func authorizeTopic(_ kind: AccessKind, exchange: Exchange, key: String, on channel: BrokerChannel) throws(AMQPError) {
        let session = channel.session
        guard session.checked, exchange.type == .topic else { return }
        try check(AccessCache.Key(kind: kind, topic: true, scope: exchange.name, name: key), of: session) {
            $0.topicRefusal(kind, exchange: exchange.name, key: key, user: session.user, vhost: session.vhost.name)
        }
    }

    /// Runs `refusal` unless the session's cache says the check passed under the current permissions.
    private func check(_ key: AccessCache.Key, of session: Session, _ refusal: (AccessControl) -> String?) throws(AMQPError) {
        guard !session.accessCache.contains(key, version: accessVersion) else { return }
        if let text = refusal(access) { throw AMQPError(.accessRefused, text) }
        session.accessCache.insert(key)
    }

    /// A binding (queue.bind/unbind, exchange.bind/unbind): write on the destination, read on the
    /// source, and topic read on the key when the source is a topic exchange.
    func authorizeBinding(source: String, destination: String, _ kind: ResourceKind, key: String,
                          on channel: BrokerChannel) throws(AMQPError) {
        try authorize(.write, kind, destination, on: channel)
        try authorize(.read, .exchange, source, on: channel)
        if let exchange = channel.session.vhost.exchanges[source] {
            try authorizeTopic(.read, exchange: exchange, key: key, on: channel)
        }
    }

    /// RabbitMQ's validated user ID: a `user_id` property must name the publishing user (406,
    /// closing the channel), unless the user has the `impersonator` tag.
    func checkUserID(_ header: ContentHeader, on channel: BrokerChannel) throws(AMQPError) {
        let session = channel.session
        // The first property-flags word; user-id is bit 4 (a cheap test before decoding anything).
        guard session.checked, let flags = header.propertyBytes.getInteger(at: header.propertyBytes.readerIndex, as: UInt16.self),
              flags & 0x0010 != 0 else { return }
        let claimed: String?
        do {
            claimed = try header.properties().userID
        } catch {
            throw AMQPError(.syntaxError, "malformed content header properties")
        }
        guard let claimed, claimed != session.user, access.users[session.user]?.tags.contains("impersonator") != true else { return }
        throw AMQPError(.preconditionFailed, "user_id property set to '\(claimed)' but authenticated user was '\(session.user)'")
    }
}
