import AMQPClient
import Foundation
import Redis

/// One `warren compare` run, shared by the CLI and `POST /api/compare`: starts a private
/// redis-server and a private warren where no server is given, runs the chosen scenarios and
/// stops what it started.
struct CompareRun: Sendable {
    var redis: String?
    var amqp: String?
    var scenarios: [String] = []
    var options = CompareOptions()

    /// Checks everything a caller supplied, before any server starts.
    func validate() throws(CompareError) {
        try options.validate()
        _ = try CompareScenarios.selected(scenarios)
        if let redis, RedisURL(redis) == nil { throw CompareError("redis must be redis://host[:port][/db]") }
        if let amqp {
            do { _ = try AMQPURL(amqp) } catch { throw CompareError("url: \(error)") }
        }
    }

    func run(progress: @escaping @Sendable (String) -> Void) async throws -> CompareReport {
        try validate()
        let selected = try CompareScenarios.selected(scenarios)
        let unique = "warren-compare-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(unique).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if ProcessInfo.processInfo.environment["WARREN_COMPARE_KEEP"] == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var started: [any PrivateServer] = []
        defer { started.forEach { $0.stop() } }
        let redisURL: RedisURL
        if let redis, let url = RedisURL(redis) {
            redisURL = url
        } else {
            let server = try PrivateRedis(directory: directory + "/redis", persistence: .none)
            started.append(server)
            try await server.start()
            redisURL = server.url
        }
        let amqpURL: AMQPURL
        if let amqp {
            amqpURL = try AMQPURL(amqp)
        } else {
            let warren = try PrivateWarren(directory: directory + "/warren")
            started.append(warren)
            try await warren.start()
            amqpURL = warren.url
        }
        let context = CompareContext(redis: redisURL, amqp: amqpURL, directory: directory, options: options,
                                     prefix: unique, progress: progress)
        var reports: [ScenarioReport] = []
        for scenario in selected {
            progress("\(scenario.name): \(scenario.title)")
            reports.append(try await scenario.run(context))
        }
        return CompareReport(redis: redisURL.description, amqp: amqpURL.description, build: CompareReport.currentBuild,
                             scenarios: reports)
    }
}
