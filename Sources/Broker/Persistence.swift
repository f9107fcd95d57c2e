import AMQPWire
import NIOCore

/// How the broker makes durable state durable; the server implements it over the Store.
/// Called only on the broker's event loop.
public protocol BrokerPersistence: AnyObject {
    func allocateMessageID() -> UInt64
    /// A persistent message routed to durable queues, stored once for all of them, published at
    /// `publishedAt` (the broker's clock) so its TTL counts from then across restarts.
    func stored(id: UInt64, vhost: String, queues: [String], exchange: String, routingKey: String,
                publishedAt: Int64, properties: ByteBuffer, body: ByteBuffer)
    /// First delivery of a stored message from a queue.
    func delivered(id: UInt64, queue: String)
    /// A queue no longer holds a stored message.
    func removed(id: UInt64, queue: String)
    /// Runs the callback once everything recorded so far (definitions included) is on disk, or
    /// could not be written.
    func whenDurable(_ callback: @escaping (DiskOutcome) -> Void)
    /// Records until `endGroup` are written all or none (a transaction's commit).
    func beginGroup()
    func endGroup()
    /// End of a broker burst: start writing what was recorded.
    func commit()
    /// The durable definitions changed; this is the full new set.
    func definitionsChanged(_ definitions: Definitions) -> DefinitionsSave
    /// The definitions last written to disk: what a restart would recreate, and what the broker
    /// goes back to when saving a change fails.
    var savedDefinitions: Definitions { get }
    /// Why the store cannot write, while it cannot (the disk alarm and the health check show it).
    var failure: String? { get }
}

/// What saving a new set of definitions takes.
public enum DefinitionsSave: Sendable {
    /// They are what is on disk already: replies need not wait.
    case onDisk
    /// They are being written: replies wait for `whenDurable`.
    case saving
    /// They cannot be written (the reason); the change must fail.
    case refused(String)
}

/// Whether records reached the disk.
public enum DiskOutcome: Sendable {
    case written
    case failed(String)
}

/// The durable definitions of all vhosts, in the shape of RabbitMQ's definitions export.
public struct Definitions: Codable, Equatable, Sendable {
    public struct VirtualHostEntry: Codable, Equatable, Sendable { public var name: String }
    public struct ExchangeEntry: Codable, Equatable, Sendable {
        public var vhost, name, type: String
        public var durable, autoDelete, `internal`: Bool
        public var arguments: JSONFieldTable
        enum CodingKeys: String, CodingKey {
            case vhost, name, type, durable, arguments, `internal`
            case autoDelete = "auto_delete"
        }
    }
    public struct QueueEntry: Codable, Equatable, Sendable {
        public var vhost, name: String
        public var durable, autoDelete: Bool
        public var arguments: JSONFieldTable
        enum CodingKeys: String, CodingKey {
            case vhost, name, durable, arguments
            case autoDelete = "auto_delete"
        }
    }
    public struct BindingEntry: Codable, Equatable, Sendable {
        public var vhost, source, destination, destinationType, routingKey: String
        public var arguments: JSONFieldTable
        enum CodingKeys: String, CodingKey {
            case vhost, source, destination, arguments
            case destinationType = "destination_type"
            case routingKey = "routing_key"
        }
    }

    public var vhosts: [VirtualHostEntry] = []
    public var exchanges: [ExchangeEntry] = []
    public var queues: [QueueEntry] = []
    public var bindings: [BindingEntry] = []
    enum CodingKeys: String, CodingKey {
        case vhosts, exchanges, queues, bindings, policies, users, permissions, parameters
        case topicPermissions = "topic_permissions"
        case warrenFormat = "warren_format"
    }
    /// Absent in files written before access control was persisted (Access/AccessDefinitions.swift).
    public var users: [UserEntry]?
    public var permissions: [PermissionEntry]?
    public var topicPermissions: [TopicPermissionEntry]?
    /// Absent in files written before policies existed.
    public var policies: [Policy]?
    /// Runtime parameters: operator policies, as RabbitMQ exports them. Absent when there are none.
    public var parameters: [RuntimeParameter]?

    /// The operator policies among the parameters.
    public var operatorPolicies: [Policy] { (parameters ?? []).compactMap(\.operatorPolicy) }
    /// warren's definitions file format: absent (1) for RabbitMQ's JSON arguments, 2 for typed
    /// ones (`TypedFieldTable`). Absent in the management API's import and export.
    public var warrenFormat: Int?

    /// The format this version writes, and the newest it reads.
    public static let currentFormat = 2

    public init() {}
}
