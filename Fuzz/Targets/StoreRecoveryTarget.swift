// Recovery is internal to Store, which only a debug build lets another module see (`@testable`);
// fuzz builds are debug builds, and a release build simply has no store-recovery target.
#if DEBUG
import Foundation
import Logging
import NIOCore
@testable import Store

extension FuzzTarget {
    /// Recovery of the message log from one segment file of arbitrary bytes (after the first input
    /// byte). When that byte is odd, the checksum of every record found by walking the lengths is set
    /// right first, so the fuzzer reaches the record decoder. Invariant: every recovered message lies
    /// inside a record whose checksum verifies.
    static let storeRecovery = FuzzTarget(name: "store-recovery") { bytes in
        guard let mode = bytes.first else { return nil }
        var segment = Array(bytes.dropFirst())
        if mode & 1 == 1 { SegmentBytes.fixChecksums(&segment) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warren-fuzz-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recovered: RecoveredMessages
        do {
            let files = try SegmentFiles(directory: directory)
            try Data(segment).write(to: URL(fileURLWithPath: files.path(1)))
            recovered = try Recovery.run(files: files, logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
        } catch {
            return "recovery failed: \(error)"
        }
        let verified = SegmentBytes.verifiedPayloads(in: segment)
        var unverified: UInt64?
        do {
            try recovered.replay { message, _, _, _ in
                if unverified == nil, !verified.contains(where: { $0.holds(message) }) { unverified = message.id }
            }
        } catch {
            return "replay failed: \(error)"
        }
        return unverified.map { "message \($0) recovered from bytes no checksum covers" }
    }
}

/// Reading a segment file the way its format says (`length u32 | crc32 u32 | payload`), independently of Recovery.
enum SegmentBytes {
    /// Walks the records by their lengths and writes each one's correct checksum.
    static func fixChecksums(_ bytes: inout [UInt8]) {
        var offset = 0
        while offset + 8 <= bytes.count {
            let length = Int(bigEndian32(bytes, at: offset))
            guard length <= bytes.count - offset - 8 else { return }
            let checksum = CRC32.checksum(bytes[(offset + 8)..<(offset + 8 + length)])
            for index in 0..<4 { bytes[offset + 4 + index] = UInt8(truncatingIfNeeded: checksum >> (24 - 8 * index)) }
            offset += 8 + length
        }
    }

    /// Every payload, at any offset, whose checksum matches.
    static func verifiedPayloads(in bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var payloads: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let length = Int(bigEndian32(bytes, at: offset))
            if length <= bytes.count - offset - 8 {
                let payload = bytes[(offset + 8)..<(offset + 8 + length)]
                if CRC32.checksum(payload) == bigEndian32(bytes, at: offset + 4) { payloads.append(payload) }
            }
            offset += 1
        }
        return payloads
    }

    private static func bigEndian32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

extension ArraySlice<UInt8> {
    /// Whether this payload contains the message's publish record start (kind 1, then the id) and its
    /// body. (Not its names: they are text, and invalid UTF-8 in them was replaced when read.)
    func holds(_ message: RecoveredMessages.Message) -> Bool {
        let recordStart = [UInt8(1)] + (0..<8).map { UInt8(truncatingIfNeeded: message.id >> (56 - 8 * $0)) }
        return contains(recordStart) && contains(Array(message.body.readableBytesView))
    }

    private func contains(_ part: [UInt8]) -> Bool {
        part.isEmpty || count >= part.count && indices.dropLast(part.count - 1).contains { self[$0..<($0 + part.count)].elementsEqual(part) }
    }
}
#endif
