import AMQPClient
import Foundation
import Redis

/// A server `warren compare` started itself: a child process listening on a private port.
protocol PrivateServer {
    var port: Int { get }
    var process: ChildProcess { get }
}

extension PrivateServer {
    func start() async throws {
        try process.start()
        try await ChildProcess.waitForPort(port)
    }

    /// kill -9, then start again on the same port and directory.
    func crashAndRestart() async throws {
        process.kill()
        try await start()
    }

    func stop() { process.kill() }
}

/// A redis-server `warren compare` runs on a private port and directory, with one persistence mode.
final class PrivateRedis: PrivateServer {
    enum Persistence: String {
        case none = "no persistence"
        case everysec = "AOF everysec"
        case always = "AOF always"
    }

    let port: Int
    let persistence: Persistence
    let process: ChildProcess

    /// `settings` are more redis-server flags, e.g. `["--maxmemory", "32mb"]`.
    init(directory: String, persistence: Persistence, settings: [String] = []) throws {
        port = try ChildProcess.freePort()
        self.persistence = persistence
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var arguments = ["/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", String(port), "--dir", directory,
                         "--save", "", "--daemonize", "no"]
        switch persistence {
        case .none: arguments += ["--appendonly", "no"]
        case .everysec: arguments += ["--appendonly", "yes", "--appendfsync", "everysec"]
        case .always: arguments += ["--appendonly", "yes", "--appendfsync", "always"]
        }
        process = ChildProcess(arguments: arguments + settings, logFile: directory + "/redis.log")
    }

    var url: RedisURL { RedisURL(port: port) }

    /// Waits until the server answers PING: after a restart it accepts connections while it still
    /// loads its AOF, answering everything else with a LOADING error.
    func waitUntilLoaded(timeout: Duration = .seconds(30)) async throws {
        let client = RedisClient(url: url)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await client.command("PING")) == .status("PONG") { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CompareError("redis-server on port \(port) did not finish loading within \(timeout)")
    }
}

/// A private `warren serve` (this same executable) with AMQP only, on a free port and a temp directory.
final class PrivateWarren: PrivateServer {
    let port: Int
    let process: ChildProcess

    /// `configuration` is TOML for `--config` (e.g. a `[limits]` section); empty by default.
    init(directory: String, configuration: String? = nil) throws {
        port = try ChildProcess.freePort()
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var arguments = [executable, "serve", "--amqp-port", String(port), "--syslog-port", "0", "--http-port", "0",
                         "--data-dir", directory + "/data"]
        // Always a file of its own, so a WARREN_CONFIG inherited from a serving warren (POST
        // /api/compare) cannot give the private one that warren's listeners and ports.
        let path = directory + "/warren.toml"
        try (configuration ?? "").write(toFile: path, atomically: true, encoding: .utf8)
        arguments += ["--config", path]
        process = ChildProcess(arguments: arguments, logFile: directory + "/warren.log")
    }

    var url: AMQPURL {
        var url = AMQPURL()
        url.port = port
        return url
    }
}
