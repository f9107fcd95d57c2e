/// Why a listener's TLS material could not be loaded: the file and the cause, never key bytes.
public struct TLSSetupError: Error, CustomStringConvertible, Equatable {
    /// A file that cannot be read, or one whose contents are not usable.
    public enum Kind: Sendable {
        case unreadable
        case invalid
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// The same problem, prefixed with the config section it comes from (`amqp.tls`).
    public func inSection(_ section: String) -> TLSSetupError {
        TLSSetupError(kind, "\(section): \(description)")
    }
}
