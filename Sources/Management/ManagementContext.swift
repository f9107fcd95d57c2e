import Hummingbird
import NIOCore

/// The request context of the management API: Hummingbird's core context plus the peer's address
/// (guest may only log in from loopback, as over AMQP).
public struct ManagementContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    var fromLoopback: Bool {
        switch remoteAddress {
        case .v4(let address)?: address.host.hasPrefix("127.")
        case .v6(let address)?: address.host == "::1"
        default: false
        }
    }
}
