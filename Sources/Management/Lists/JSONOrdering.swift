import Foundation

/// Sorting JSON items as RabbitMQ's management API sorts them (Erlang's term order): numbers before
/// false, null and true (atoms, by name), before objects, before arrays, before strings; strings by their UTF-8 bytes; a
/// missing field counts as 0.
enum JSONOrdering {
    /// `items` sorted on the fields at `keys` (dotted paths, the first deciding first); stable.
    static func sorted(_ items: [[String: Any]], on keys: [[String]]) -> [[String: Any]] {
        let keyed = items.enumerated().map { index, item in (index, keys.map { value(in: item, at: $0) }, item) }
        return keyed.sorted { left, right in
            for (l, r) in zip(left.1, right.1) {
                let order = compare(l, r)
                if order != 0 { return order < 0 }
            }
            return left.0 < right.0
        }.map(\.2)
    }

    static func value(in item: [String: Any], at path: [String]) -> Any {
        var current: Any = item
        for key in path {
            guard let object = current as? [String: Any], let next = object[key] else { return 0 }
            current = next
        }
        return current
    }

    /// Negative, zero or positive as `left` sorts before, with or after `right`.
    static func compare(_ left: Any, _ right: Any) -> Int {
        let (l, r) = (rank(left), rank(right))
        if l != r { return l < r ? -1 : 1 }
        if let a = number(left), let b = number(right) { return a < b ? -1 : (a == b ? 0 : 1) }
        if let a = atom(left), let b = atom(right) { return a == b ? 0 : (a < b ? -1 : 1) }
        if let a = left as? String, let b = right as? String { return a == b ? 0 : (a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1) }
        return 0
    }

    /// JSON's true, false and null are Erlang atoms, ordered by their names.
    private static func atom(_ value: Any) -> String? {
        switch value {
        case let flag as Bool: return flag ? "true" : "false"
        case is NSNull: return "null"
        default: return nil
        }
    }

    private static func number(_ value: Any) -> Double? {
        switch value {
        case is Bool: return nil
        case let integer as any BinaryInteger: return Double(integer)
        case let real as Double: return real.isNaN ? nil : real
        default: return nil
        }
    }

    /// Erlang's order of kinds: number, atom (true, false, null), map, list, binary.
    private static func rank(_ value: Any) -> Int {
        switch value {
        case is Bool, is NSNull: return 1
        case is any BinaryInteger, is Double: return 0
        case is [String: Any]: return 2
        case is [Any]: return 3
        case is String: return 4
        default: return 5
        }
    }
}
