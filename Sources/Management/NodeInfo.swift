import AMQPServer
import Foundation

/// What `warren serve` tells the management API about the node it runs: its listeners, resource
/// limits and start time (`/api/nodes`, `/api/overview`).
public struct NodeInfo: Sendable {
    /// A listening socket as RabbitMQ's overview lists it (`protocol` `amqp`, `http`, …).
    public struct Listener: Sendable {
        public var protocolName: String
        public var ip: String
        public var port: Int

        public init(protocolName: String, ip: String, port: Int) {
            self.protocolName = protocolName
            self.ip = ip
            self.port = port
        }
    }

    public var listeners: [Listener]
    public var resources: ResourceLimits
    public var startedAt: Date

    public init(listeners: [Listener], resources: ResourceLimits, startedAt: Date = Date()) {
        self.listeners = listeners
        self.resources = resources
        self.startedAt = startedAt
    }
}
