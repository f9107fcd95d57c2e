import Foundation

/// One measured line of a scenario: which system, what came out, the numbers behind it, and how
/// it was measured.
struct ComparisonRow: Codable, Sendable {
    var system: String
    var result: String
    var numbers: [String: Double]
    var how: String
}

/// What one scenario found: its rows and a plain-language verdict.
struct ScenarioReport: Codable, Sendable {
    var name: String
    var title: String
    var verdict: String
    var rows: [ComparisonRow]
}

/// A whole `warren compare` run, the shape `--json` prints and `POST /api/compare` ends with
/// (Docs/redis-vs-mq.md documents it).
struct CompareReport: Codable, Sendable {
    var version = 1
    /// Where the scenarios that do not kill their servers ran (no passwords).
    var redis: String
    var amqp: String
    /// "debug" or "release": the numbers of a debug build are not the servers' speed.
    var build: String
    var scenarios: [ScenarioReport]

    /// The report as JSON: indented for `--json`, on one line for the API's JSON lines.
    func json(pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let header = ["SCENARIO", "SYSTEM", "RESULT"]
        let cells = scenarios.flatMap { scenario in scenario.rows.map { [scenario.name, $0.system, $0.result] } }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        var lines = ([header] + cells).map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        lines += ["", "Verdicts (\(build) build; Redis \(redis), AMQP \(amqp)):"]
        lines += scenarios.map { "- \($0.name): \($0.verdict)" }
        lines += ["", "How each row was measured:"]
        for scenario in scenarios {
            lines += scenario.rows.map { "- \(scenario.name) / \($0.system): \($0.how)" }
        }
        return lines.joined(separator: "\n")
    }

    static var currentBuild: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }
}
