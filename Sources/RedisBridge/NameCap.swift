/// At most `capacity` distinct names pass; once full, every new name is folded into `overflowName`
/// and counted, so a flood of unique names (hostnames, routing keys) cannot create unbounded keys.
struct NameCap {
    static let overflowName = "_other"

    let capacity: Int
    private var names: Set<String> = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The name to use: `name` itself while tracked or room is left, else the overflow name (overflowed = true).
    mutating func admit(_ name: String) -> (name: String, overflowed: Bool) {
        if names.contains(name) { return (name, false) }
        guard names.count < capacity else { return (Self.overflowName, true) }
        names.insert(name)
        return (name, false)
    }
}

/// The caps on the names a bridge entry turns into Redis keys and hash fields.
struct BridgeKeyCaps {
    private var routingKeys: NameCap
    private var facilities: NameCap
    private var severities: NameCap
    private var hosts: NameCap

    init(maxRoutingKeys: Int, maxHosts: Int) {
        routingKeys = NameCap(capacity: maxRoutingKeys)
        facilities = NameCap(capacity: maxRoutingKeys)
        severities = NameCap(capacity: maxRoutingKeys)
        hosts = NameCap(capacity: maxHosts)
    }

    /// Folds the entry's names past their caps; returns how many of them overflowed.
    mutating func apply(to entry: inout BridgeEntry) -> Int {
        var overflowed = 0
        func fold(_ name: String, _ cap: inout NameCap) -> String {
            let admitted = cap.admit(name)
            if admitted.overflowed { overflowed += 1 }
            return admitted.name
        }
        entry.routingKey = fold(entry.routingKey, &routingKeys)
        entry.facility = fold(entry.facility, &facilities)
        entry.severity = fold(entry.severity, &severities)
        if let host = entry.hostname { entry.hostname = fold(host, &hosts) }
        return overflowed
    }
}
