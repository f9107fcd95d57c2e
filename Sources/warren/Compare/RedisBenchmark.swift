import Foundation
import Redis

/// `redis-benchmark` against the same Redis, with the same pipeline depth, one client and the
/// same key and body as warren's own client: the reference that shows whether our client is the limit.
enum RedisBenchmark {
    /// Requests per second for `command` run `requests` times, or nil when redis-benchmark is
    /// missing or printed nothing usable.
    static func requestsPerSecond(_ command: [String], requests: Int, depth: Int, context: CompareContext) async throws -> Double? {
        let executable = "/usr/bin/redis-benchmark"
        guard FileManager.default.isExecutableFile(atPath: executable) else { return nil }
        var arguments = [executable, "-h", context.redis.host, "-p", String(context.redis.port), "--dbnum", String(context.redis.database),
                         "-c", "1", "-P", String(depth), "-n", String(requests), "--csv"]
        if let password = context.redis.password { arguments += ["-a", password] }
        let log = context.directory + "/redis-benchmark-\(UInt32.random(in: 0 ... .max)).csv"
        let process = ChildProcess(arguments: arguments + command, logFile: log)
        try process.start()
        guard await process.exitStatus() == 0 else { return nil }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // --csv: a header line, then "<test>","<requests per second>",…
        guard let line = output.split(separator: "\n").last(where: { !$0.hasPrefix("\"test\"") && $0.contains(",") }) else { return nil }
        let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return fields.count > 1 ? Double(fields[1]) : nil
    }
}
