import AMQPClient
import ArgumentParser
import Foundation
import Syslog

/// `warren ship FILE…|-`: follows files (as `tail -F`) or reads stdin and publishes every line as a
/// log entry with publisher confirms, retrying until confirmed, resuming from saved offsets.
struct ShipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ship",
        abstract: "Publish each line of files (followed as tail -F does) or of stdin ('-') as a log entry, with confirms.",
        discussion: """
            Files are read from where the last run stopped (offset files in --state-dir, saved only after the \
            broker confirmed), or from their start the first time, and followed through rotation and truncation \
            until SIGINT/SIGTERM. Lines the broker cannot take (down, nack) are sent again with backoff, never \
            dropped. Stdin is read to its end.
            """
    )

    @OptionGroup var client: ClientOptions
    @OptionGroup var entry: LocalEntryOptions
    @Option(help: "Facility of the entries.") var facility = "user"
    @Option(help: "Severity of the entries.") var severity = "info"
    @Option(help: "Where offset files are kept (one per followed file).") var stateDir = ShipCommand.defaultStateDirectory
    @Option(help: "Longer lines are published once, cut to this many bytes (and reported on stderr).")
    var maxLineLength = 65536
    @Argument(help: "Files to follow, or - for standard input.") var files: [String]

    static var defaultStateDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_STATE_HOME"] ?? ((environment["HOME"] ?? ".") + "/.local/state")
        return base + "/warren/ship"
    }

    func validate() throws {
        _ = try source()
        if files.isEmpty { throw ValidationError("name at least one file, or - for standard input") }
        if files.contains("-") && files.count > 1 { throw ValidationError("- (standard input) cannot be combined with files") }
        if Set(files).count != files.count { throw ValidationError("a file is named twice") }
        if maxLineLength < 1 { throw ValidationError("--max-line-length must be at least 1") }
    }

    private func source() throws -> LocalEntrySource {
        entry.source(facility: try Facility.parsed(facility, what: "facility"),
                     severity: try Severity.parsed(severity, what: "severity"), defaultApp: "warren-ship")
    }

    func run() async throws {
        let url = try client.parsedURL()
        let source = try source()
        let exchange = entry.exchange
        let maxLineLength = self.maxLineLength
        let store = files == ["-"] ? nil : try ShipOffsetStore(directory: stateDir)
        let paths = files.map { $0 == "-" ? $0 : URL(fileURLWithPath: $0).standardizedFileURL.path }
        let work = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for path in paths {
                    group.addTask {
                        let publisher = ReliablePublisher(url: url, exchange: exchange)
                        let shipper = LineShipper(name: path, source: source, publisher: publisher)
                        do {
                            if let store {
                                try await FileFollower(path: path, shipper: shipper, store: store, maxLineLength: maxLineLength).run()
                            } else {
                                try await StdinShipper(shipper: shipper, maxLineLength: maxLineLength).run()
                            }
                        } catch {
                            await publisher.close()
                            throw error
                        }
                        await publisher.close()
                    }
                }
                try await group.waitForAll()
            }
        }
        let stop = await StopSignal.watch { work.cancel() }
        defer { stop.cancel() }
        do {
            try await work.value
        } catch is CancellationError {
            return
        } catch let error as ShipError {
            throw CommandFailure(error.description)
        }
    }
}
