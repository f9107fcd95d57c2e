import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A server process `warren compare` starts itself (redis-server, a private warren), by pid:
/// posix_spawn to start, SIGKILL to crash it, waitpid to reap. Output goes to a log file.
final class ChildProcess {
    private(set) var pid: pid_t = 0
    let arguments: [String]
    let logFile: String

    init(arguments: [String], logFile: String) {
        self.arguments = arguments
        self.logFile = logFile
    }

    deinit { kill() }

    func start() throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        guard status == 0 else { throw CompareError("cannot start \(arguments[0]): \(String(cString: strerror(status)))") }
    }

    /// SIGKILL and reap: a crash, nothing flushed that was not already written.
    func kill() {
        guard pid > 0 else { return }
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    /// Waits (off the cooperative pool) until the process exits; its exit status, or -1 when it
    /// was killed by a signal.
    func exitStatus() async -> Int32 {
        let pid = pid
        guard pid > 0 else { return -1 }
        let status = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                continuation.resume(returning: status)
            }
        }
        self.pid = 0
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
    }

    /// The resident set size from /proc/<pid>/status, in bytes; nil when the process is not running.
    func residentBytes() -> Int? {
        guard pid > 0, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    /// Waits until something accepts TCP connections on the port.
    static func waitForPort(_ port: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if canConnect(port) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CompareError("nothing listens on 127.0.0.1:\(port) after \(timeout)")
    }

    private static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A loopback port nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CompareError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(UInt16(port).bigEndian),
                    sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
    }
}

/// Why `warren compare` could not run a scenario.
struct CompareError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
