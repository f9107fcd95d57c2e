#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<data dir>/warren.lock`, held for the life of the process, so a
/// second warren on the same directory refuses to start. The kernel drops it if the process dies.
public final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    public init(directory: String) throws {
        let path = directory + "/warren.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError.io("open \(path)", errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StoreError.locked(directory)
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
