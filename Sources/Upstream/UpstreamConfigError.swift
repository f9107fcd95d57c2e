/// A problem with an upstream's settings, worded for the user (it names the key at fault).
public struct UpstreamConfigError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
