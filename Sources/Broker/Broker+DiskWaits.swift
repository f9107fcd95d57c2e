import AMQPWire

/// What the broker does once the disk has answered: confirms, deferred replies, and when a write
/// failed, nacks, connection errors and a return to the definitions on disk.
extension Broker {
    /// Hands the new durable definitions to persistence. Replies held for this burst go out now when
    /// nothing new needs writing, wait for the disk when something does, and fail when it cannot be.
    func saveDefinitions(to persistence: any BrokerPersistence) {
        let held = awaitingDefinitions
        awaitingDefinitions.removeAll()
        let save = persistence.definitionsChanged(durableDefinitions())
        lastDefinitionsSave = save
        switch save {
        case .onDisk:
            for (channel, method, ticket) in held where isOpen(channel) {
                sendReplies(channel.replies.fill(ticket, with: method), on: channel)
            }
        case .saving:
            awaitingDisk.append(contentsOf: held.map { ($0.channel, .definitions($0.reply, $0.ticket)) })
            persistence.whenDurable { [weak self] outcome in
                guard let self, case .failed = outcome else { return }
                rollBackDefinitions(to: persistence.savedDefinitions)
                finishBurst()
            }
        case .refused(let reason):
            rollBackDefinitions(to: persistence.savedDefinitions)
            settle(held.map { ($0.channel, .definitions($0.reply, $0.ticket)) }, .failed(reason))
        }
    }

    /// For a change made outside a channel (the management API), after its burst: calls back once
    /// the durable definitions it changed are on disk, or with why they could not be saved (the
    /// change is then rolled back); at once when it changed none.
    public func whenDefinitionsSaved(_ callback: @escaping (DiskOutcome) -> Void) {
        switch lastDefinitionsSave {
        case nil, .onDisk?:
            callback(.written)
        case .refused(let reason)?:
            callback(.failed(reason))
        case .saving?:
            guard let persistence else { return callback(.written) }
            persistence.whenDurable(callback)
            persistence.commit()
        }
    }

    /// Answers what waited for a write. When it failed: confirms become nacks, a transaction's
    /// commit and a durable declaration close their connection with 541 INTERNAL_ERROR (the
    /// declaration was rolled back by `saveDefinitions`' own callback).
    func settle(_ waiting: [(channel: BrokerChannel, wait: DiskWait)], _ outcome: DiskOutcome) {
        var closed = Set<ConnectionID>()
        for (channel, wait) in waiting {
            switch (wait, outcome) {
            case (.confirm(let sequence), .written):
                if isOpen(channel) { noteConfirm(channel, sequence: sequence, ack: true) }
            case (.confirm(let sequence), .failed):
                if isOpen(channel) { noteConfirm(channel, sequence: sequence, ack: false) }
            case (.reply(let method, let ticket), .written), (.definitions(let method?, let ticket), .written):
                // Not on a channel that closed (or closed and reopened) while the disk caught up.
                if isOpen(channel) { sendReplies(channel.replies.fill(ticket, with: method), on: channel) }
            case (.definitions(nil, let ticket), .written):
                if isOpen(channel) { sendReplies(channel.replies.fill(ticket, with: nil), on: channel) }
            case (.reply, .failed(let reason)), (.definitions, .failed(let reason)):
                let what = if case .definitions = wait { "cannot save definitions" } else { "cannot write the message store" }
                if isOpen(channel), closed.insert(channel.session.id).inserted {
                    channel.session.send(.closeConnection(AMQPError(.internalError, "\(what): \(reason)")))
                }
            }
        }
    }

    private func sendReplies(_ replies: [AMQPMethod], on channel: BrokerChannel) {
        for reply in replies { channel.session.send(.method(channel.number, reply)) }
    }

    /// Whether the channel is still open on a connection still there (closed and reopened counts as
    /// not): asked by id, without touching a session that may be gone.
    func isOpen(_ channel: BrokerChannel) -> Bool {
        sessions[channel.sessionID]?.channels[channel.number] === channel
    }
}
