#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// The process's use of the machine, read when `/api/nodes` is asked: open file descriptors and
/// their limit, threads, processors. Where /proc cannot be read a count is 0.
struct ProcessStatus {
    var fileDescriptors: Int
    var fileDescriptorLimit: Int
    var threads: Int
    var processors: Int

    static func current() -> ProcessStatus {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        let total = getrlimit(resource, &limit) == 0 ? Int(clamping: limit.rlim_cur) : 0
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessStatus(fileDescriptors: open, fileDescriptorLimit: total, threads: threads(),
                             processors: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The `Threads:` line of /proc/self/status.
    private static func threads() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        return threads(status: status)
    }

    static func threads(status: String) -> Int {
        for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }
}
