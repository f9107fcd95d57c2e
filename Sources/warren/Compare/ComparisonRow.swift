import Foundation

/// One measured line of `warren compare`: which scenario, which system, what came out, and how
/// it was measured.
struct ComparisonRow: Encodable {
    var scenario: String
    var system: String
    var result: String
    var numbers: [String: Double]
    var how: String

    static func table(_ rows: [ComparisonRow]) -> String {
        let header = ["SCENARIO", "SYSTEM", "RESULT"]
        let cells = rows.map { [$0.scenario, $0.system, $0.result] }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        var lines = ([header] + cells).map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        lines.append("")
        lines.append("How each row was measured:")
        for row in rows { lines.append("- \(row.scenario) / \(row.system): \(row.how)") }
        return lines.joined(separator: "\n")
    }

    static func json(_ rows: [ComparisonRow]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: (try? encoder.encode(rows)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
