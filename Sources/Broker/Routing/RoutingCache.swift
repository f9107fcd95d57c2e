/// A topic exchange's memory of recent routing decisions (routing key -> destinations), bounded
/// in keys and in destinations held, so a publisher sending unique routing keys, or keys that
/// each match thousands of bindings, cannot grow it without end. When either bound is reached
/// the cache starts over (cheaper than tracking recency on the publish path).
struct RoutingCache {
    /// At most this many routing keys are remembered.
    static let keyLimit = 4096
    /// At most this many destinations, summed over the remembered keys, are held.
    static let destinationLimit = 65536

    private var entries: [String: [Destination]] = [:]
    private var destinationCount = 0

    var count: Int { entries.count }

    subscript(routingKey: String) -> [Destination]? { entries[routingKey] }

    /// Remembers where a routing key goes; a result larger than the whole budget is not kept.
    mutating func remember(_ destinations: [Destination], for routingKey: String) {
        guard destinations.count <= Self.destinationLimit else { return }
        if entries.count >= Self.keyLimit || destinationCount + destinations.count > Self.destinationLimit {
            entries.removeAll(keepingCapacity: true)
            destinationCount = 0
        }
        entries[routingKey] = destinations
        destinationCount += destinations.count
    }
}
