import Foundation
import Management
import NIOCore

/// The body of `POST /api/compare`; every field is optional and the defaults are the CLI's:
/// `{"scenarios": ["fan-out"], "redis": "redis://127.0.0.1:6379/0", "count": 1000, "messages": 200000,
/// "runs": 3, "depth": 100, "size": 200, "rates": [1000], "latency_seconds": 3, "memory_mib": 32}`.
/// The AMQP side is always a private warren, so a run never touches the broker that serves the API.
struct CompareRequestBody: Decodable {
    var scenarios: [String]?
    var redis: String?
    var count: Int?
    var messages: Int?
    var runs: Int?
    var depth: Int?
    var size: Int?
    var rates: [Int]?
    var latencySeconds: Double?
    var memoryMiB: Int?

    enum CodingKeys: String, CodingKey {
        case scenarios, redis, count, messages, runs, depth, size, rates
        case latencySeconds = "latency_seconds"
        case memoryMiB = "memory_mib"
    }

    static let maxScenarios = 20
    static let maxURLLength = 1024

    var compareRun: CompareRun {
        get throws(CompareError) {
            let names = scenarios ?? []
            guard names.count <= Self.maxScenarios else { throw CompareError("at most \(Self.maxScenarios) scenarios") }
            guard (redis?.utf8.count ?? 0) <= Self.maxURLLength else { throw CompareError("redis is longer than \(Self.maxURLLength) bytes") }
            var options = CompareOptions()
            options.count = count ?? options.count
            options.messages = messages ?? options.messages
            options.runs = runs ?? options.runs
            options.depth = depth ?? options.depth
            options.size = size ?? options.size
            options.rates = rates ?? options.rates
            options.latencySeconds = latencySeconds ?? options.latencySeconds
            options.memoryMiB = memoryMiB ?? options.memoryMiB
            let run = CompareRun(redis: redis, amqp: nil, scenarios: names, options: options)
            try run.validate()
            return run
        }
    }
}

/// What `warren serve` hands the management API for `POST /api/compare`.
enum CompareAPI {
    static let runner: CompareRunner = { body in
        let request: CompareRequestBody
        do {
            request = body.readableBytes == 0 ? CompareRequestBody() : try JSONDecoder().decode(CompareRequestBody.self, from: Data(body.readableBytesView))
        } catch {
            throw CompareError("the body must be a JSON object of compare options (Docs/redis-vs-mq.md)")
        }
        let run = try request.compareRun
        return { progress in try await run.run(progress: progress).json(pretty: false) }
    }
}
