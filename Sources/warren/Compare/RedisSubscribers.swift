import Redis

/// Redis pub/sub subscribers as `redis-cli` child processes: a hiredis connection in subscribe
/// mode cannot take other commands, and these only need to be connected, not read.
struct RedisSubscribers {
    let processes: [ChildProcess]

    /// Starts `count` clients running `SUBSCRIBE channel` (or `PSUBSCRIBE pattern`) and waits until
    /// the server counts them.
    static func start(_ count: Int, command: String = "SUBSCRIBE", to channel: String, context: CompareContext) async throws -> RedisSubscribers {
        let redis = context.redisClient()
        let pattern = command == "PSUBSCRIBE"
        // NUMPAT counts every client's patterns on the server (NUMSUB only this channel's
        // subscribers): count ours from where it stood.
        func online() async throws -> Int64 {
            if pattern { return try await redis.command("PUBSUB", "NUMPAT").integer ?? 0 }
            return try await redis.command("PUBSUB", "NUMSUB", channel).array?.last?.integer ?? 0
        }
        let before = try await online()
        var arguments = ["/usr/bin/redis-cli", "-h", context.redis.host, "-p", String(context.redis.port), "-n", String(context.redis.database)]
        if let password = context.redis.password { arguments += ["-a", password, "--no-auth-warning"] }
        let processes = (0..<count).map { _ in
            ChildProcess(arguments: arguments + [command, channel], logFile: context.directory + "/subscriber.log")
        }
        let subscribers = RedisSubscribers(processes: processes)
        for process in processes { try process.start() }
        for _ in 0..<500 {
            if try await online() - before >= count { return subscribers }
            try await Task.sleep(for: .milliseconds(10))
        }
        subscribers.stop()
        throw CompareError("\(count) redis-cli \(command) clients did not get subscribed within 5 s")
    }

    /// Kills them: a crash as far as the server can tell.
    func stop() { processes.forEach { $0.kill() } }
}
