import AMQPWire

/// tx.select, tx.commit and tx.rollback: publishes and acknowledgements held until commit.
extension Broker {
    func selectTransactions(on channel: BrokerChannel) throws(AMQPError) {
        guard channel.nextPublishSequence == nil else {
            throw AMQPError(.preconditionFailed, "cannot switch from confirm to tx mode")
        }
        if channel.transaction == nil { channel.transaction = Transaction() }
        reply(.txSelectOk, on: channel, unless: false)
    }

    func commit(on channel: BrokerChannel) throws(AMQPError) {
        guard let transaction = channel.transaction else {
            throw AMQPError(.preconditionFailed, "channel is not transactional")
        }
        channel.transaction = nil  // steps run as if outside the transaction …
        persistence?.beginGroup()  // … their records written all or none …
        defer {
            persistence?.endGroup()
            channel.transaction = Transaction()  // … and the channel stays transactional
        }
        var stored = false
        for step in transaction.steps {
            switch step {
            case .publish(let publish, let header, let body):
                stored = try route(publish, header: header, body: body, on: channel) || stored
            case .ack(let tag, let multiple):
                try acknowledge(tag: tag, multiple: multiple, on: channel)
            case .reject(let tag, let multiple, let requeue):
                try reject(tag: tag, multiple: multiple, requeue: requeue, on: channel)
            }
        }
        // With persistent messages, commit-ok waits until their records are on disk.
        if stored { awaitingDisk.append((channel, .reply(.txCommitOk, channel.replies.hold()))) } else { reply(.txCommitOk, on: channel, unless: false) }
    }

    /// Keeps a step for tx.commit; past `limits.transactionSteps` steps or `limits.transactionBodyBytes`
    /// body bytes the channel closes (406).
    func holdInTransaction(_ step: Transaction.Step, on channel: BrokerChannel) throws(AMQPError) {
        guard let transaction = channel.transaction else { return }
        guard transaction.steps.count < limits.transactionSteps else {
            throw AMQPError(.preconditionFailed, "transaction holds the maximum of \(limits.transactionSteps) publishes and acknowledgements; commit or roll back")
        }
        var bodyBytes = transaction.bodyBytes
        if case .publish(_, _, let body) = step { bodyBytes += body.readableBytes }  // both below 2^31: no overflow
        guard bodyBytes <= limits.transactionBodyBytes else {
            throw AMQPError(.preconditionFailed, "transaction holds the maximum of \(limits.transactionBodyBytes) body bytes; commit or roll back")
        }
        channel.transaction?.steps.append(step)
        channel.transaction?.bodyBytes = bodyBytes
    }

    func rollback(on channel: BrokerChannel) throws(AMQPError) {
        guard channel.transaction != nil else {
            throw AMQPError(.preconditionFailed, "channel is not transactional")
        }
        channel.transaction = Transaction()
        reply(.txRollbackOk, on: channel, unless: false)
    }
}
