import Broker
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Checks memory and disk every `checkInterval` and raises or clears the runtime's alarm, whatever
/// listeners run: the AMQP listener blocks its publishing connections, syslog stops reading TCP and
/// drops UDP. A service of its own, so a syslog-only setup (`--amqp-port 0`) is protected too.
public struct ResourceMonitor: Service {
    private let limits: ResourceLimits
    private let runtime: BrokerRuntime
    private let logger: Logger

    public init(limits: ResourceLimits, runtime: BrokerRuntime, logger: Logger) {
        self.limits = limits
        self.runtime = runtime
        self.logger = logger
    }

    public func run() async throws {
        let interval = Duration.nanoseconds(limits.checkInterval.nanoseconds)
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                await check()
            }
        }
    }

    private func check() async {
        guard let (accounted, storeFailure) = try? await runtime.withBrokerResult({ ($0.heldBytes, $0.persistence?.failure) }) else {
            return
        }
        var memory = MemoryUse(resident: MemoryUse.residentBytes(), accounted: accounted)
        if memory.bytes > limits.memoryHighWatermark, accounted <= limits.memoryHighWatermark {
            // Over by allocator slack alone (freed messages the heap kept): give it back, then judge.
            MemoryUse.releaseFreedMemory()
            memory.resident = MemoryUse.residentBytes()
        }
        let kind: ResourceAlarm.Kind
        if memory.bytes > limits.memoryHighWatermark {
            kind = .memory
        } else if storeFailure != nil {
            kind = .disk  // the store cannot write: nothing persistent may be taken in
        } else if let free = Self.freeDisk(limits.dataDirectory), free < limits.diskFreeLimit {
            kind = .disk
        } else {
            kind = .none
        }
        guard runtime.alarm.set(kind) else { return }
        if kind == .none {
            logger.warning("resource alarm cleared: publishers unblocked")
        } else {
            logger.warning("""
                resource alarm: \(kind.reason) (memory \(memory.bytes) bytes: resident \(memory.resident.map(String.init) ?? "unknown"), \
                broker-accounted \(memory.accounted); watermark \(limits.memoryHighWatermark)\
                \(storeFailure.map { "; store: \($0)" } ?? "")); publishers blocked
                """)
        }
    }

    /// Free bytes for unprivileged users on the filesystem of `path`; nil when it cannot be read.
    public static func freeDisk(_ path: String) -> Int? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        let (bytes, overflow) = Int(clamping: stats.f_bavail).multipliedReportingOverflow(by: Int(clamping: stats.f_frsize))
        return overflow ? .max : bytes
    }
}
