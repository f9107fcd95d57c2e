import NIOConcurrencyHelpers

/// The live status of every configured upstream, written by the forwarders and read by the
/// management API; in configuration order.
public final class UpstreamRegistry: Sendable {
    private let statuses: NIOLockedValueBox<[UpstreamStatus]>

    public init(names: [String]) {
        statuses = NIOLockedValueBox(names.map { UpstreamStatus(name: $0) })
    }

    /// Every upstream's status.
    public func snapshot() -> [UpstreamStatus] {
        statuses.withLockedValue { $0 }
    }

    /// Changes the status of the upstream named `name`.
    func update(_ name: String, _ change: (inout UpstreamStatus) -> Void) {
        statuses.withLockedValue { all in
            guard let index = all.firstIndex(where: { $0.name == name }) else { return }
            change(&all[index])
        }
    }
}
