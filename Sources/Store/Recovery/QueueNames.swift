/// The queues the message log names, numbered as first met, so that recovery keeps a 4-byte
/// number per message rather than a vhost and a queue name.
struct QueueNames: Sendable {
    private struct Key: Hashable {
        var vhost: String
        var queue: String
    }

    private var names: [Key] = []
    private var numbers: [Key: UInt32] = [:]

    /// The number of a queue, given one the first time it is asked for.
    mutating func number(vhost: String, queue: String) -> UInt32 {
        let key = Key(vhost: vhost, queue: queue)
        if let number = numbers[key] { return number }
        let number = UInt32(truncatingIfNeeded: names.count)  // 2^32 names would need far more memory first
        names.append(key)
        numbers[key] = number
        return number
    }

    /// The vhost and name of a numbered queue.
    subscript(number: UInt32) -> (vhost: String, queue: String) {
        let key = names[Int(number)]
        return (key.vhost, key.queue)
    }
}
