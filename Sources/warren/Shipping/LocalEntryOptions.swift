import AMQPWire
import ArgumentParser
import Foundation
import NIOCore
import Syslog

/// `--app` and `--hostname` of the commands that write entries themselves (`emit`, `ship`), and the
/// message they become: the collector's JSON entry format, headers and properties.
struct LocalEntryOptions: ParsableArguments {
    @Option(help: "app_name of the entries (default: warren-emit or warren-ship).") var app: String?
    @Option(help: "hostname of the entries (default: this host's name).") var hostname: String?
    @Option(help: "Exchange to publish to.") var exchange = "topic_logs"

    /// The peer recorded in entries that did not arrive over the network.
    static let localPeer = "local"

    /// Builds messages for one facility and severity.
    func source(facility: Facility, severity: Severity, defaultApp: String) -> LocalEntrySource {
        LocalEntrySource(facility: facility, severity: severity, hostname: hostname ?? Self.systemHostname(),
                         appName: app ?? defaultApp, procID: String(getpid()))
    }

    private static func systemHostname() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Turns lines into log messages with fixed facility, severity, hostname, app and procid.
struct LocalEntrySource: Sendable {
    let facility: Facility
    let severity: Severity
    let hostname: String
    let appName: String
    let procID: String
    private let encoder = LogMessageEncoder(format: .json)

    init(facility: Facility, severity: Severity, hostname: String, appName: String, procID: String) {
        self.facility = facility
        self.severity = severity
        self.hostname = hostname
        self.appName = appName
        self.procID = procID
    }

    var routingKey: String { "\(facility.name).\(severity.name)" }

    func message(_ text: some Collection<UInt8>, at date: Date = Date()) -> LocalMessage {
        let entry = LogEntry(local: text, facility: facility, severity: severity, hostname: hostname,
                             appName: appName, procID: procID, date: date)
        let (properties, body) = encoder.message(for: entry, frame: ByteBuffer(), peer: LocalEntryOptions.localPeer, receivedAt: date)
        return LocalMessage(routingKey: entry.routingKey, properties: properties, body: body)
    }
}

/// One entry ready to publish.
struct LocalMessage: Sendable {
    var routingKey: String
    var properties: BasicProperties
    var body: ByteBuffer
}

extension SyslogCode {
    /// The code for a command-line word, or a ValidationError listing the words allowed.
    static func parsed(_ word: String, what: String) throws -> Self {
        guard let code = Self(name: word) else {
            throw ValidationError("unknown \(what) '\(word)'; one of: \(names.joined(separator: " "))")
        }
        return code
    }
}
