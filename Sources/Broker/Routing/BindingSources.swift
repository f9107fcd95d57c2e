/// Which exchanges of a vhost hold bindings to each destination, so deleting a queue or an
/// exchange visits only the exchanges bound to it, not every exchange of the vhost.
final class BindingSources {
    private var exchanges: [Destination: Set<String>] = [:]

    /// The exchanges with at least one binding to `destination`.
    subscript(destination: Destination) -> Set<String> { exchanges[destination] ?? [] }

    func add(_ exchange: String, to destination: Destination) {
        exchanges[destination, default: []].insert(exchange)
    }

    func remove(_ exchange: String, from destination: Destination) {
        exchanges[destination]?.remove(exchange)
        if exchanges[destination]?.isEmpty == true { exchanges[destination] = nil }
    }
}
