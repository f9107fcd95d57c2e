import AMQPWire

/// Stream queues (`x-queue-type: stream`) as RabbitMQ 3.9+ has them over AMQP 0-9-1: declared
/// durable and shared, appended to by publishing, read by consumers from any offset.
extension Broker {
    /// The log of a stream queue being declared or restored, after RabbitMQ's checks.
    func openStream(name: String, in vhost: VirtualHost, durable: Bool, autoDelete: Bool, exclusive: Bool,
                    arguments: FieldTable) throws(AMQPError) -> StreamQueue {
        let what = "queue '\(name)' in vhost '\(vhost.name)'"
        guard durable else {
            throw AMQPError(.preconditionFailed, "invalid property 'non-durable' for \(what)")
        }
        guard !autoDelete else {
            throw AMQPError(.preconditionFailed, "invalid property 'auto-delete' for \(what)")
        }
        guard !exclusive else {
            throw AMQPError(.preconditionFailed, "invalid property 'exclusive-owner' for \(what)")
        }
        let retention = try StreamArguments.retention(arguments, queue: name, vhost: vhost.name)
        guard let streamStorage else {
            throw AMQPError(.preconditionFailed, "cannot declare \(what): stream queues need a data directory")
        }
        do {
            let log = try streamStorage.open(vhost: vhost.name, queue: name, retention: retention)
            log.applyRetention(now: clock())  // what aged out while warren was stopped
            return StreamQueue(log: log)
        } catch {
            throw AMQPError(.internalError, "cannot open the log of stream \(what): \(error)")
        }
    }

    /// Makes entries that reach the disk readable by the queue's consumers as they arrive.
    func follow(_ stream: StreamQueue, of queue: Queue) {
        watchTimers(of: queue)  // age retention of an idle stream, and passes cut short
        stream.log.onCommitted = { [weak self, weak queue] in
            guard let self, let queue, !queue.isDeleted else { return }
            scheduleDispatch(queue)
            finishBurst()
        }
    }

    /// Appends a message to the streams among `targets` and removes them from it. `appended`: it
    /// reached one (its confirm waits for the fsync); `refused`: one could not write it (a nack).
    func appendToStreams(_ message: Message, targets: inout [Queue]) -> (appended: Bool, refused: Bool) {
        var appended = false
        var refused = false
        targets.removeAll { queue in
            guard let stream = queue.stream else { return false }
            if stream.append(message, now: now) {
                appended = true
                queue.counts.published += 1
            } else {
                refused = true
            }
            return true
        }
        return (appended, refused)
    }

    /// What basic.consume on a stream needs (RabbitMQ's checks and texts): a prefetch count and
    /// manual acknowledgements; then the reader at `x-stream-offset` with the consumer's filter.
    func streamSubscription(_ consume: BasicConsume, to stream: StreamQueue, of queue: Queue,
                            on channel: BrokerChannel) throws(AMQPError) -> StreamSubscription {
        let what = "queue '\(queue.name)' in vhost '\(queue.vhost)'"
        guard channel.consumerPrefetch > 0 else {
            throw AMQPError(.preconditionFailed, "consumer prefetch count is not set for '\(what)'")
        }
        guard !consume.noAck else {
            throw AMQPError(.notImplemented, "automatic acknowledgement not supported by stream queues \(what)")
        }
        let start = try StreamArguments.start(consume.arguments[StreamQueue.offsetHeader], now: now)
        let filter = try StreamFilter.parse(consume.arguments)
        let until = try consume.arguments["x-warren-until"].map { value throws(AMQPError) in try StreamArguments.time(value, now: now, key: "x-warren-until") }
        return StreamSubscription(reader: stream.log.reader(from: start), filter: filter, until: until)
    }

    /// basic.get and queue.purge are not for streams (RabbitMQ: 540 NOT_IMPLEMENTED, closing the connection).
    func refuse(_ method: String, on queue: Queue) throws(AMQPError) {
        guard queue.stream != nil else { return }
        throw AMQPError(.notImplemented, "\(method) not supported by stream queues queue '\(queue.name)' in vhost '\(queue.vhost)'")
    }
}
