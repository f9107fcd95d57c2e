import Foundation

/// A process's resident memory as Linux reports it in /proc/PID/status.
enum ProcessMemory {
    /// The status file has no VmRSS line that parses.
    struct Unreadable: Error, CustomStringConvertible {
        var path: String
        var description: String { "no readable VmRSS line in \(path)" }
    }

    /// VmRSS of `pid` in bytes.
    static func residentBytes(of pid: Int32) throws -> Int {
        let path = "/proc/\(pid)/status"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let kibibytes = residentKibibytes(inStatus: text) else {
            throw Unreadable(path: path)
        }
        return kibibytes * 1024
    }

    /// The number on the `VmRSS:   1234 kB` line, when it is one that fits (in kB, below 2^40).
    static func residentKibibytes(inStatus text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.dropFirst("VmRSS:".count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2, fields[1] == "kB", let value = Int(fields[0]), (0..<(1 << 40)).contains(value) else { return nil }
            return value
        }
        return nil
    }
}
