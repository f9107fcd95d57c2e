import Foundation
import Syslog

/// Publishes the lines of one source as entries, waiting for the broker's confirms; cut lines
/// (over `--max-line-length`) are reported on stderr.
struct LineShipper {
    let name: String
    let source: LocalEntrySource
    let publisher: ReliablePublisher

    func ship(_ lines: [LineSplitter.Line]) async throws {
        guard !lines.isEmpty else { return }
        for line in lines where line.truncatedBytes > 0 {
            ShipLog.warning("\(name): a line of \(line.bytes.count + line.truncatedBytes) bytes was cut to \(line.bytes.count) (--max-line-length)")
        }
        let now = Date()
        try await publisher.publish(lines.map { source.message($0.bytes, at: now) })
    }
}
