import Broker
import Foundation
import Logging
import NIOCore
import Synchronization

/// When publishers must be blocked: the broker's message backlog above the memory high-watermark,
/// or free disk in the data directory below the limit (RabbitMQ's memory and disk alarms), or the
/// store failing to write (the disk alarm too).
public struct ResourceLimits: Sendable {
    /// Bytes of queued messages (ready and unacknowledged) above which publishers are blocked.
    public var memoryHighWatermark: Int
    /// Free bytes on the data directory's filesystem below which publishers are blocked.
    public var diskFreeLimit: Int
    public var dataDirectory: String
    public var checkInterval: TimeAmount

    /// RabbitMQ's defaults: 40 % of physical memory, 50 MB of free disk.
    public init(memoryHighWatermark: Int = Int(Double(ProcessInfo.processInfo.physicalMemory) * 0.4),
                diskFreeLimit: Int = 50_000_000, dataDirectory: String, checkInterval: TimeAmount = .milliseconds(200)) {
        self.memoryHighWatermark = memoryHighWatermark
        self.diskFreeLimit = diskFreeLimit
        self.dataDirectory = dataDirectory
        self.checkInterval = checkInterval
    }
}

/// The alarm currently raised, readable from every connection's loop without a lock.
public final class ResourceAlarm: Sendable {
    /// Which alarm is raised.
    public enum Kind: UInt8, Sendable {
        case none = 0, memory = 1, disk = 2

        public var reason: String {
            switch self {
            case .none: ""
            case .memory: "low on memory"
            case .disk: "low on disk"
            }
        }
    }

    private let raised = Atomic<UInt8>(Kind.none.rawValue)

    public init() {}

    public var current: Kind { Kind(rawValue: raised.load(ordering: .relaxed)) ?? .none }

    /// Sets the alarm; true when it changed.
    func set(_ kind: Kind) -> Bool {
        raised.exchange(kind.rawValue, ordering: .relaxed) != kind.rawValue
    }
}

/// Sent through each connection's pipeline when the alarm is raised or cleared.
struct ResourceAlarmChanged: Sendable {
    var kind: ResourceAlarm.Kind
}

/// Checks the limits on the broker's loop and tells every connection when the alarm changes.
final class ResourceMonitor: Sendable {
    private let limits: ResourceLimits
    private let alarm: ResourceAlarm
    private let registry: ConnectionRegistry
    private let runtime: BrokerRuntime
    private let logger: Logger
    private let task = RepeatedTaskHolder()

    init(limits: ResourceLimits, alarm: ResourceAlarm, registry: ConnectionRegistry, runtime: BrokerRuntime, logger: Logger) {
        self.limits = limits
        self.alarm = alarm
        self.registry = registry
        self.runtime = runtime
        self.logger = logger
    }

    func start() {
        let repeated = runtime.eventLoop.scheduleRepeatedTask(initialDelay: limits.checkInterval, delay: limits.checkInterval) { [self] _ in
            runtime.withBroker { broker in self.check(backlog: broker.backlogBytes, storeFailure: broker.persistence?.failure) }
        }
        task.set(repeated)
    }

    func stop() {
        task.cancel()
    }

    private func check(backlog: Int, storeFailure: String?) {
        let kind: ResourceAlarm.Kind
        if backlog > limits.memoryHighWatermark {
            kind = .memory
        } else if storeFailure != nil {
            kind = .disk
        } else if let free = Self.freeDisk(limits.dataDirectory), free < limits.diskFreeLimit {
            kind = .disk
        } else {
            kind = .none
        }
        guard alarm.set(kind) else { return }
        if kind == .none {
            logger.warning("resource alarm cleared: publishers unblocked")
        } else {
            logger.warning("resource alarm: \(kind.reason) (backlog \(backlog) bytes, watermark \(limits.memoryHighWatermark)\(storeFailure.map { "; store: \($0)" } ?? "")); publishers blocked")
        }
        for connection in registry.all {
            connection.pipeline.fireUserInboundEventTriggered(ResourceAlarmChanged(kind: kind))
        }
    }

    static func freeDisk(_ path: String) -> Int? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }
}

/// Holds the monitor's repeated task so it can be cancelled from any thread.
private final class RepeatedTaskHolder: Sendable {
    private let value = Mutex<RepeatedTask?>(nil)
    func set(_ task: RepeatedTask) { value.withLock { $0 = task } }
    func cancel() { value.withLock { $0?.cancel(); $0 = nil } }
}
