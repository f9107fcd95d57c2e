import ArgumentParser
import Foundation
import Redis

/// `warren stats [PATTERN]`: the bridge's counters and per-minute rates, read from Redis.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Entry counts and rates per routing key, from the Redis the bridge writes to.",
        discussion: "PATTERN is a topic pattern such as 'kern.*' or '*.critical' (default: every key)."
    )

    @OptionGroup var options: RedisOptions
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Argument(help: "Topic pattern over facility.severity.") var pattern = "#"

    func run() async throws {
        let redis = try options.client()
        let keys = try await Self.countKeys(redis).filter { TopicPattern.matches(pattern, $0) }.sorted()
        let minute = Int64(Date().timeIntervalSince1970 / 60)
        var rows: [StatsRow] = []
        if !keys.isEmpty {
            var commands = keys.map { ["GET", "warren:count:\($0)"] }
            commands += keys.map { ["HMGET", "warren:rate:\($0)"] + (0..<5).map { String(minute - $0) } }
            let replies = try await redis.pipeline(commands)
            for (index, key) in keys.enumerated() {
                let rates = replies[keys.count + index].array?.map { $0.integer ?? 0 } ?? []
                rows.append(StatsRow(key: key, count: replies[index].integer ?? 0,
                                     lastMinute: rates.first ?? 0, lastFiveMinutes: rates.reduce(0, +)))
            }
        }
        print(json ? StatsRow.json(rows) : StatsRow.table(rows))
    }

    /// Every `warren:count:<facility>.<severity>` key, found with SCAN (never KEYS).
    static func countKeys(_ redis: RedisClient) async throws -> [String] {
        var cursor = "0"
        var found: Set<String> = []
        repeat {
            let reply = try await redis.command("SCAN", cursor, "MATCH", "warren:count:*.*", "COUNT", "1000")
            guard let parts = reply.array, parts.count == 2 else { throw RedisError.server("unexpected SCAN reply \(reply)") }
            cursor = parts[0].string ?? "0"
            for key in parts[1].array ?? [] {
                if let name = key.string { found.insert(String(name.dropFirst("warren:count:".count))) }
            }
        } while cursor != "0"
        return Array(found)
    }
}

/// One routing key's numbers in `warren stats`.
struct StatsRow: Encodable, Equatable {
    var key: String
    var count: Int64
    var lastMinute: Int64
    var lastFiveMinutes: Int64

    enum CodingKeys: String, CodingKey {
        case key = "routing_key", count
        case lastMinute = "last_minute"
        case lastFiveMinutes = "last_5_minutes"
    }

    static func table(_ rows: [StatsRow]) -> String {
        let header = ["ROUTING KEY", "COUNT", "LAST MIN", "LAST 5 MIN"]
        let cells = rows.map { [$0.key, String($0.count), String($0.lastMinute), String($0.lastFiveMinutes)] }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        return ([header] + cells).map { row in
            row.enumerated().map { column, text in
                column == 0 ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func json(_ rows: [StatsRow]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(rows)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
