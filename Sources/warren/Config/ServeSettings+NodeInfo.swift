import Management

extension ServeSettings {
    /// What the management API reports of this node: its listeners (those not turned off with port 0)
    /// and resource limits.
    func nodeInfo() -> NodeInfo {
        let listeners = [("amqp", amqpPort), ("http", httpPort)].filter { $0.1 != 0 }
        return NodeInfo(listeners: listeners.map { NodeInfo.Listener(protocolName: $0.0, ip: bind, port: $0.1) },
                        resources: resourceLimits())
    }
}
