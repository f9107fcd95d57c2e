import Foundation
import Synchronization

/// Sends `count` RFC 3164 lines of `size` bytes (`<182>… bench[pid]: entry N xxx…`, so local6.info)
/// as fast as the socket takes them: over TCP split across `connections` connections, each on its
/// own thread with blocking writes (LF framing); over UDP one datagram per entry. The bytes are
/// built when it is created, so the timed part only writes.
struct SyslogLoadGenerator: Sendable {
    let target: SyslogTarget
    let count: Int
    /// UDP only: datagrams per second (0: as fast as the socket takes them).
    let rate: Int
    /// TCP: one stream of LF-terminated lines per connection. UDP: one datagram per entry.
    private let payloads: [[UInt8]]

    init(target: SyslogTarget, count: Int, size: Int, connections: Int, rate: Int = 0) {
        self.target = target
        self.count = count
        self.rate = rate
        let senders = target.udp ? 1 : max(1, min(connections, count))
        var payloads: [[UInt8]] = []
        if target.udp {
            payloads = (0..<count).map { Self.line($0, size: size) }
        } else {
            for sender in 0..<senders {
                let first = sender * (count / senders) + min(sender, count % senders)
                let share = count / senders + (sender < count % senders ? 1 : 0)
                var stream: [UInt8] = []
                stream.reserveCapacity(share * (size + 1))
                for index in first..<(first + share) {
                    stream += Self.line(index, size: size)
                    stream.append(0x0A)
                }
                payloads.append(stream)
            }
        }
        self.payloads = payloads
    }

    static func line(_ index: Int, size: Int) -> [UInt8] {
        var text = Array("<182>Nov 23 10:00:00 benchhost bench[4242]: entry \(index) ".utf8)
        if text.count < size { text += [UInt8](repeating: UInt8(ascii: "x"), count: size - text.count) }
        return text
    }

    /// Blocks until everything is written; returns the number of entries sent.
    func run() throws -> Int {
        let errors = ErrorBox()
        let group = DispatchGroup()
        for sender in target.udp ? [0] : Array(payloads.indices) {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                do {
                    if target.udp { try sendDatagrams() } else { try sendStream(payloads[sender]) }
                } catch {
                    errors.record("\(error)")
                }
            }
        }
        group.wait()
        if let error = errors.first { throw BenchError(error) }
        return count
    }

    private func socket(type: Int32) throws -> (Int32, sockaddr_in) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(target.port).bigEndian)
        guard inet_pton(AF_INET, target.host, &address.sin_addr) == 1 else { throw BenchError("not an IPv4 address: \(target.host)") }
        let fd = Foundation.socket(AF_INET, type, 0)
        guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        return (fd, address)
    }

    private func sendStream(_ stream: [UInt8]) throws {
        #if os(Linux)
        let (fd, address) = try socket(type: Int32(SOCK_STREAM.rawValue))
        #else
        let (fd, address) = try socket(type: SOCK_STREAM)
        #endif
        defer { close(fd) }
        var target = address
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("connect to \(self.target): \(String(cString: strerror(errno)))") }
        try writeAll(fd, stream)
        shutdown(fd, Int32(SHUT_WR))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else {
                if written < 0 && errno == EINTR { continue }
                throw BenchError("write to \(target): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private func sendDatagrams() throws {
        #if os(Linux)
        let (fd, address) = try socket(type: Int32(SOCK_DGRAM.rawValue))
        #else
        let (fd, address) = try socket(type: SOCK_DGRAM)
        #endif
        defer { close(fd) }
        var target = address
        let start = ContinuousClock.now
        for (index, datagram) in payloads.enumerated() {
            if rate > 0, index % 64 == 0 {
                // Paced in steps of 64 datagrams: sleep until this one is due.
                let due = start + .nanoseconds(Int64(index) * 1_000_000_000 / Int64(rate))
                if due > .now { Thread.sleep(forTimeInterval: Self.seconds(due - .now)) }
            }
            _ = withUnsafePointer(to: &target) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    datagram.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
        }
    }
}

/// The first error of the sender threads.
private final class ErrorBox: Sendable {
    private let errors = Mutex<[String]>([])

    func record(_ error: String) { errors.withLock { $0.append(error) } }
    var first: String? { errors.withLock { $0.first } }
}

/// A benchmark that cannot run (bad address, refused connection).
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
