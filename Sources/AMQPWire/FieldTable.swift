/// An AMQP field table: named values in the order they arrived, so re-encoding gives the same bytes.
public struct FieldTable: Sendable, Equatable {
    /// One named value.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: FieldValue

        public init(key: String, value: FieldValue) {
            self.key = key
            self.value = value
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The value of the first entry with this key; setting replaces it or appends a new entry.
    public subscript(key: String) -> FieldValue? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }
}

extension FieldTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, FieldValue)...) {
        self.init(elements.map { Entry(key: $0.0, value: $0.1) })
    }
}
