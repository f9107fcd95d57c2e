#if canImport(Glibc)
import Glibc
#endif

/// The system calls the store's writers make, as values, so tests can make them fail (a full or
/// broken disk) deterministically. `.system` is the real thing.
struct FileOperations: Sendable {
    var write: @Sendable (_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int
    /// `pwrite`: the page files' writes (`PageFileWorker`).
    var writeAt: @Sendable (_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, _ offset: Int64) -> Int
    var fsync: @Sendable (_ descriptor: Int32) -> Int32
    var ftruncate: @Sendable (_ descriptor: Int32, _ length: Int) -> Int32

    static let system = FileOperations(
        write: { descriptor, bytes in Glibc.write(descriptor, bytes.baseAddress, bytes.count) },
        writeAt: { descriptor, bytes, offset in Glibc.pwrite(descriptor, bytes.baseAddress, bytes.count, off_t(offset)) },
        fsync: { Glibc.fsync($0) },
        ftruncate: { Glibc.ftruncate($0, off_t($1)) }
    )

    /// Writes all of `bytes` (retrying on EINTR and short writes); throws with the errno.
    func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            if written < 0 {
                if errno == EINTR { continue }
                throw StoreError.io("write \(path)", errno)
            }
            offset += written
        }
    }
}
