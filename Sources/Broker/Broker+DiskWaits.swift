import AMQPWire

/// What the broker does once the disk has answered: confirms, deferred replies, and when a write
/// failed, nacks, connection errors and a return to the definitions on disk.
extension Broker {
    /// Hands the new durable definitions to persistence. Replies held for this burst go out now when
    /// nothing new needs writing, wait for the disk when something does, and fail when it cannot be.
    func saveDefinitions(to persistence: any BrokerPersistence) {
        let held = awaitingDefinitions
        awaitingDefinitions.removeAll()
        switch persistence.definitionsChanged(durableDefinitions()) {
        case .onDisk:
            for (channel, method) in held {
                if let method, isOpen(channel) { channel.session.send(.method(channel.number, method)) }
            }
        case .saving:
            awaitingDisk.append(contentsOf: held.map { ($0.channel, .definitions($0.reply)) })
        case .refused(let reason):
            settle(held.map { ($0.channel, .definitions($0.reply)) }, .failed(reason), persistence: persistence)
        }
    }

    /// Answers what waited for a write. When it failed: confirms become nacks, a transaction's
    /// commit and a durable declaration close their connection with 541 INTERNAL_ERROR, and the
    /// broker goes back to the definitions on disk (what a restart would recreate).
    func settle(_ waiting: [(channel: BrokerChannel, wait: DiskWait)], _ outcome: DiskOutcome,
                persistence: any BrokerPersistence) {
        var closed = Set<ConnectionID>()
        var definitionsFailed = false
        for (channel, wait) in waiting {
            switch (wait, outcome) {
            case (.confirm(let sequence), .written):
                noteConfirm(channel, sequence: sequence, ack: true)
            case (.confirm(let sequence), .failed):
                noteConfirm(channel, sequence: sequence, ack: false)
            case (.reply(let method), .written), (.definitions(.some(let method)), .written):
                // Not on a channel that closed (or closed and reopened) while the disk caught up.
                if isOpen(channel) { channel.session.send(.method(channel.number, method)) }
            case (.definitions(.none), .written):
                break
            case (.reply, .failed(let reason)), (.definitions, .failed(let reason)):
                let what: String
                if case .definitions = wait {
                    definitionsFailed = true
                    what = "cannot save definitions"
                } else {
                    what = "cannot write the message store"
                }
                if isOpen(channel), closed.insert(channel.session.id).inserted {
                    channel.session.send(.closeConnection(AMQPError(.internalError, "\(what): \(reason)")))
                }
            }
        }
        if definitionsFailed { rollBackDefinitions(to: persistence.savedDefinitions) }
    }

    private func isOpen(_ channel: BrokerChannel) -> Bool {
        sessions[channel.session.id] === channel.session && channel.session.channels[channel.number] === channel
    }
}
