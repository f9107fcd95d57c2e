#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// What the memory alarm compares with the watermark: the larger of the process's resident set
/// (RSS, from /proc/self/statm: everything the process holds, whoever allocated it: partial
/// bodies being assembled, open transactions, NIO and socket-side outbound buffers, allocator
/// slack) and the broker's own accounting (queued messages and
/// content in flight to connections), which stands in where /proc is absent.
public struct MemoryUse: Equatable {
    var resident: Int?
    var accounted: Int

    var bytes: Int { max(resident ?? 0, accounted) }

    /// The process's resident set size in bytes, nil where /proc/self/statm cannot be read.
    public static func residentBytes() -> Int? {
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 128)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return residentBytes(statm: bytes.prefix(count), pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// The second field of a statm line (resident pages) times the page size, saturating.
    static func residentBytes(statm: some Collection<UInt8>, pageSize: Int) -> Int? {
        let fields = statm.split(separator: UInt8(ascii: " "))
        guard fields.count >= 2, let pages = Int(String(decoding: fields[1], as: UTF8.self)), pages >= 0 else { return nil }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? .max : bytes
    }

    /// Hands freed heap pages back to the system, so a drained queue lowers RSS (and can clear the
    /// alarm). glibc's `malloc_trim` is looked up at run time: Swift's Glibc module does not export
    /// `malloc.h`, and other C libraries (musl) do not have it.
    static func releaseFreedMemory() {
        _ = mallocTrim?(0)
    }

    private typealias MallocTrim = @convention(c) (Int) -> Int32
    private static let mallocTrim: MallocTrim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
        .map { unsafeBitCast($0, to: MallocTrim.self) }
}
