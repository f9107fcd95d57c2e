import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import TLS

/// An HTTP child channel that begins with a TLS handshake on the listener's current context, so a
/// certificate reload applies to the next connection (HummingbirdTLS's `TLSChannel` fixes one
/// context for the server's life).
struct ReloadableTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let tls: ServerTLS

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try tls.addServerHandlers(to: channel, logger: logger)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
