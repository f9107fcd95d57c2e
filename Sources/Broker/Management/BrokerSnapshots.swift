import AMQPWire

/// A queue as the management API shows it: a value copied off the broker's loop.
public struct QueueSnapshot: Sendable, Equatable {
    public var name, vhost: String
    public var durable, autoDelete, exclusive: Bool
    public var arguments: FieldTable
    public var messagesReady, messagesUnacknowledged, consumers, memory: Int
    public var policy, operatorPolicy: String?
    /// The policy definition in force (policy capped by operator policy), RabbitMQ's `effective_policy_definition`.
    public var effectivePolicyDefinition: FieldTable
    public var counts: MessageCounts
    /// A stream queue's log: offsets, times and size; nil for a classic queue.
    public var stream: StreamStatus?
}

/// A queue's message counters and lengths.
public struct QueueCounts: Sendable, Equatable {
    public var vhost, name: String
    public var counts: MessageCounts
    public var ready, unacknowledged: Int
}

/// An exchange as the management API shows it.
public struct ExchangeSnapshot: Sendable, Equatable {
    public var name, vhost, type: String
    public var durable, autoDelete, `internal`: Bool
    public var arguments: FieldTable
    /// `publish_in` and `publish_out`.
    public var publishedIn, publishedOut: Int
}

/// A binding as the management API shows it (`destination_type` is `queue` or `exchange`).
public struct BindingSnapshot: Sendable, Equatable {
    public var vhost, source, destination, destinationType, routingKey: String
    public var arguments: FieldTable
}

/// A client connection as the management API shows it.
public struct ConnectionSnapshot: Sendable, Equatable {
    public var id: UInt64
    public var user, vhost: String
    public var channels, consumers: Int
}

/// A channel as the management API shows it.
public struct ChannelSnapshot: Sendable, Equatable {
    public var connection: UInt64
    public var number: UInt16
    public var user, vhost: String
    public var consumers, unacknowledged, prefetch, globalPrefetch: Int
    public var confirm, transactional: Bool
    public var counts: MessageCounts
}

/// A consumer as the management API shows it.
public struct ConsumerSnapshot: Sendable, Equatable {
    public var connection: UInt64
    public var channel: UInt16
    public var vhost, queue, tag: String
    public var ackRequired, exclusive: Bool
    public var prefetch: Int
    public var priority: Int64
}

extension Broker {
    public func channelSnapshots() -> [ChannelSnapshot] {
        sessions.values.sorted { $0.id.raw < $1.id.raw }.flatMap { session in
            session.channels.values.sorted { $0.number < $1.number }.map { channel in
                ChannelSnapshot(connection: session.id.raw, number: channel.number, user: session.user, vhost: session.vhost.name,
                                consumers: channel.consumers.count, unacknowledged: channel.unacked.count,
                                prefetch: channel.consumerPrefetch, globalPrefetch: channel.channelPrefetch,
                                confirm: channel.nextPublishSequence != nil, transactional: channel.transaction != nil,
                                counts: channel.counts)
            }
        }
    }

    public func consumerSnapshots() -> [ConsumerSnapshot] {
        sessions.values.sorted { $0.id.raw < $1.id.raw }.flatMap { session in
            session.channels.values.sorted { $0.number < $1.number }.flatMap { channel in
                channel.consumers.values.sorted { $0.tag < $1.tag }.map { consumer in
                    ConsumerSnapshot(connection: session.id.raw, channel: channel.number, vhost: session.vhost.name,
                                     queue: consumer.queue.name, tag: consumer.tag, ackRequired: !consumer.noAck,
                                     exclusive: consumer.exclusive, prefetch: consumer.prefetchLimit, priority: consumer.priority)
                }
            }
        }
    }

    public var vhostNames: [String] { vhosts.keys.sorted() }

    /// Each vhost's message totals, by name.
    public var vhostCounts: [String: MessageCounts] { vhosts.mapValues(\.counts) }

    /// The message totals of every vhost together.
    public var totalCounts: MessageCounts {
        vhosts.values.reduce(into: MessageCounts()) { sum, vhost in sum.add(vhost.counts) }
    }

    /// Every queue's counters and lengths: what the management API samples for rates, without the
    /// policy matching and argument copies of `queueSnapshots`.
    public func queueCounts() -> [QueueCounts] {
        vhosts.values.flatMap { vhost in
            vhost.queues.values.map { queue in
                QueueCounts(vhost: vhost.name, name: queue.name, counts: queue.counts,
                            ready: queue.messageCount, unacknowledged: queue.unackedCount)
            }
        }
    }

    public func queueSnapshots(vhost name: String? = nil) -> [QueueSnapshot] {
        selectedVhosts(name).flatMap { vhost in
            vhost.queues.values.sorted { $0.name < $1.name }.map { queue in
                let inForce = policy(forQueue: queue.name, in: vhost)
                let operatorPolicy = policy(forQueue: queue.name, in: vhost, kind: .operatorPolicy)
                return QueueSnapshot(name: queue.name, vhost: vhost.name, durable: queue.durable, autoDelete: queue.autoDelete,
                              exclusive: queue.owner != nil, arguments: queue.arguments, messagesReady: queue.messageCount,
                              messagesUnacknowledged: queue.unackedCount, consumers: queue.consumerCount,
                              memory: queue.readyBytes + queue.unackedBytes,
                              policy: inForce?.name, operatorPolicy: operatorPolicy?.name,
                              effectivePolicyDefinition: Policy.effectiveDefinition(policy: inForce, operatorPolicy: operatorPolicy),
                              counts: queue.counts, stream: queue.stream?.log.status)
            }
        }
    }

    public func exchangeSnapshots(vhost name: String? = nil) -> [ExchangeSnapshot] {
        selectedVhosts(name).flatMap { vhost in
            vhost.exchanges.values.sorted { $0.name < $1.name }.map { exchange in
                ExchangeSnapshot(name: exchange.name, vhost: vhost.name, type: exchange.type.rawValue, durable: exchange.durable,
                                 autoDelete: exchange.autoDelete, internal: exchange.internal, arguments: exchange.arguments,
                                 publishedIn: exchange.publishedIn, publishedOut: exchange.publishedOut)
            }
        }
    }

    /// Every queue's implicit binding to the default exchange, then the explicit ones, as RabbitMQ lists them.
    public func bindingSnapshots(vhost name: String? = nil) -> [BindingSnapshot] {
        selectedVhosts(name).flatMap { vhost in
            let implicit = vhost.queues.keys.sorted().map {
                BindingSnapshot(vhost: vhost.name, source: "", destination: $0, destinationType: "queue", routingKey: $0, arguments: [:])
            }
            let explicit = vhost.exchanges.values.sorted { $0.name < $1.name }.flatMap { exchange in
                exchange.bindings.map { binding in
                    let (destination, kind): (String, String) = switch binding.destination {
                    case .queue(let queue): (queue, "queue")
                    case .exchange(let target): (target, "exchange")
                    }
                    return BindingSnapshot(vhost: vhost.name, source: exchange.name, destination: destination,
                                           destinationType: kind, routingKey: binding.key, arguments: binding.arguments)
                }
            }
            return implicit + explicit
        }
    }

    public func connectionSnapshots() -> [ConnectionSnapshot] {
        sessions.values.sorted { $0.id.raw < $1.id.raw }.map { session in
            ConnectionSnapshot(id: session.id.raw, user: session.user, vhost: session.vhost.name,
                               channels: session.channels.count,
                               consumers: session.channels.values.reduce(0) { $0 + $1.consumers.count })
        }
    }

    private func selectedVhosts(_ name: String?) -> [VirtualHost] {
        vhosts.values.filter { name == nil || $0.name == name }.sorted { $0.name < $1.name }
    }
}
