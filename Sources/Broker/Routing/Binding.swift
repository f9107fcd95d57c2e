import AMQPWire

/// Where a binding leads: a queue, or another exchange (exchange-to-exchange bindings).
public enum Destination: Hashable, Sendable {
    case queue(String)
    case exchange(String)
}

/// One binding of an exchange: destination, binding key and arguments.
public struct Binding: Equatable, Sendable {
    public var destination: Destination
    public var key: String
    public var arguments: FieldTable

    public init(destination: Destination, key: String, arguments: FieldTable = [:]) {
        self.destination = destination
        self.key = key
        self.arguments = arguments
    }
}
