import AMQPWire
import NIOCore

/// What the connection state machine asks its I/O handler to do.
enum ConnectionAction: Equatable {
    /// Send a method frame.
    case send(AMQPMethod, channel: UInt16)
    /// Answer a bad protocol header with the one we speak, then close the socket.
    case rejectProtocolHeader
    /// Tuning is settled: apply frame_max to the decoder and start heartbeats.
    case tuned(Tuning)
    /// connection.open passed the vhost and permission checks: the handler checks the connection
    /// limits and answers with `admitted(vhost:user:refusal:)`.
    case admissionRequested(vhost: String, user: String)
    /// The connection is open on a vhost for a user.
    case opened(vhost: String, user: String)
    /// A channel was opened by the client.
    case channelOpened(UInt16)
    /// A method for the broker on an open channel.
    case channelMethod(UInt16, AMQPMethod)
    /// A complete publish: method, content header and body.
    case publish(UInt16, BasicPublish, ContentHeader, ByteBuffer)
    /// A channel ended (closed by either side); its broker state must be released.
    case channelClosed(UInt16)
    /// The client closed a channel: the broker answers close-ok once it has handled what came before.
    case channelCloseRequested(UInt16)
    /// The client closed the connection: the broker answers close-ok once it has handled what came before.
    case connectionCloseRequested
    /// Close the socket once what was written has been flushed.
    case closeSocket
    /// Start the timer that closes the socket if close-ok never arrives.
    case awaitCloseOk
    /// A login was refused for this reason: the handler logs it (the client gets only RabbitMQ's 403 text).
    case loginRefused(String)
}
