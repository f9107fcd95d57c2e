/// One RFC 5424 SD-ELEMENT: `[id name="value" ...]`, parameters in the order sent.
public struct StructuredElement: Sendable, Equatable {
    public var id: String
    public var parameters: [StructuredParameter]

    public init(id: String, parameters: [StructuredParameter] = []) {
        self.id = id
        self.parameters = parameters
    }
}

/// One SD-PARAM of a structured-data element; `value` is unescaped (`\"`, `\\`, `\]`).
public struct StructuredParameter: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
