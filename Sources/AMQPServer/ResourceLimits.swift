import Foundation
import NIOCore

/// When publishers must be blocked: the process's memory above the memory high-watermark, or free
/// disk in the data directory below the limit (RabbitMQ's memory and disk alarms); the store failing
/// to write raises the disk alarm too.
public struct ResourceLimits: Sendable {
    /// Bytes of memory (see `MemoryUse`) above which publishers are blocked.
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
