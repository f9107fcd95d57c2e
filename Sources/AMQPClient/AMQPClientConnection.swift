import AMQPWire
import NIOCore
import NIOPosix

/// A client connection to an AMQP 0-9-1 broker (warren or RabbitMQ), used by the CLI and the
/// benchmark. Safe to use from any task; the work happens on the connection's event loop.
public final class AMQPClientConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<AMQPClientHandler>

    private init(channel: any Channel, handler: NIOLoopBound<AMQPClientHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects (over TLS for `amqps://`), logs in with the URL's mechanism and opens its vhost. A
    /// `heartbeat` above 0 asks the server for heartbeats that often (seconds) and closes the
    /// connection when nothing arrives for two intervals.
    public static func connect(to url: AMQPURL, heartbeat: UInt16 = 0,
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> AMQPClientConnection {
        let eventLoop = group.next()
        let ready = eventLoop.makePromise(of: Void.self)
        let connecting = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = url.tls { try channel.pipeline.syncOperations.addHandler(tls.makeHandler(host: url.host)) }
                    if heartbeat > 0 { try channel.pipeline.syncOperations.addHandler(SilenceWatch(heartbeatSeconds: heartbeat)) }
                    try channel.pipeline.syncOperations.addHandler(AMQPClientHandler(url: url, heartbeat: heartbeat, ready: ready))
                }
            }
            .connect(host: url.host, port: url.port)
        connecting.whenFailure { ready.fail($0) }  // no handler will ever complete it
        let channel = try await connecting.get()
        try await ready.futureResult.get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: AMQPClientHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return AMQPClientConnection(channel: channel, handler: handler)
    }

    /// Opens a channel.
    public func openChannel() async throws -> AMQPClientChannel {
        let handler = self.handler
        let eventLoop = channel.eventLoop
        let number = try await eventLoop.flatSubmit { handler.value.openChannel(eventLoop: eventLoop) }.get()
        return AMQPClientChannel(connection: self, number: number)
    }

    /// Closes the connection with connection.close and waits for the socket to go.
    public func close() async {
        let handler = self.handler
        let eventLoop = channel.eventLoop
        try? await eventLoop.flatSubmit { handler.value.close(eventLoop: eventLoop) }.get()
        try? await channel.close()
    }

    /// Runs code on the connection's event loop with direct access to the handler.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (AMQPClientHandler) throws -> T) async throws -> T {
        let handler = self.handler
        return try await channel.eventLoop.submit { try body(handler.value) }.get()
    }
}
