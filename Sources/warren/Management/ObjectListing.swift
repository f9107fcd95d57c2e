import ArgumentParser
import Foundation

/// Output options shared by `warren queues`, `exchanges`, `bindings` and `connections`.
struct ListingOptions: ParsableArguments {
    @Option(name: .customShort("p"), help: "Only this vhost (as rabbitmqctl -p).") var vhost: String?
    @Flag(help: "Print the API's JSON objects, with the chosen columns.") var json = false
    @Flag(help: "Tab-separated values with a header line, as rabbitmqctl prints them.") var tsv = false
}

/// Fetches a list from the management API and prints the chosen columns.
struct ObjectListing {
    let path: String
    let columns: [String]
    /// The path of one vhost's objects, given the encoded vhost (default: `path/vhost`).
    var vhostPath: (@Sendable (String) -> String)?

    func run(_ api: ManagementOptions, _ options: ListingOptions) async throws {
        let scoped = options.vhost.map { vhostPath?(pathSegment($0)) ?? "\(path)/\(pathSegment($0))" } ?? path
        let data = try await api.call("GET", "/api/\(scoped)")
        guard let objects = try? JSONDecoder().decode([[String: JSONValue]].self, from: data) else {
            throw ManagementCallError(description: "GET /api/\(scoped): not a JSON array of objects")
        }
        if options.json {
            let picked = objects.map { object in Dictionary(uniqueKeysWithValues: columns.map { ($0, object[$0] ?? .null) }) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(picked), as: UTF8.self))
            return
        }
        let rows = objects.map { object in columns.map { object[$0]?.text ?? "" } }
        if options.tsv {
            print(([columns] + rows).map { $0.joined(separator: "\t") }.joined(separator: "\n"))
        } else {
            print(Self.aligned([columns] + rows))
        }
    }

    static func aligned(_ rows: [[String]]) -> String {
        guard let width = rows.first?.count else { return "" }
        let widths = (0..<width).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

/// A JSON value that keeps booleans and numbers apart (Foundation's JSONSerialization does not on Linux).
enum JSONValue: Codable, Equatable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let integer = try? container.decode(Int64.self) { self = .integer(integer) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let array = try? container.decode([JSONValue].self) { self = .array(array) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .integer(let integer): try container.encode(integer)
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }

    /// The value as a table cell: scalars as they read, structures as compact JSON.
    var text: String {
        switch self {
        case .null: ""
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let integer): String(integer)
        case .number(let number): String(number)
        case .string(let text): text
        case .array, .object:
            (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }
}
