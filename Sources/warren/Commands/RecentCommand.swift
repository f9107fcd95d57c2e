import ArgumentParser
import Foundation

/// `warren recent KEY [-n N]`: the newest entries the bridge cached in Redis for a routing key.
struct RecentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recent",
        abstract: "The newest cached entries for a routing key (e.g. kern.critical, or 'all'), newest last."
    )

    @OptionGroup var options: RedisOptions
    @Option(name: [.customShort("n"), .long], help: "How many entries.") var count = 20
    @Flag(help: "Print each entry's JSON.") var json = false
    @Flag(help: "Never colour (NO_COLOR in the environment does the same).") var noColor = false
    @Argument(help: "facility.severity, or 'all'.") var routingKey: String

    func validate() throws {
        if count < 1 { throw ValidationError("-n must be at least 1") }
    }

    func run() async throws {
        let redis = try options.client()
        let reply = try await redis.command("LRANGE", "warren:recent:\(routingKey)", "0", String(count - 1))
        let formatter = LogLineFormatter(color: ColorChoice.standardOutput(noColorFlag: noColor))
        for item in (reply.array ?? []).reversed() {
            guard case .bulk(let bytes) = item else { continue }
            if json {
                print(String(decoding: bytes, as: UTF8.self))
            } else {
                print(formatter.line(routingKey: Self.routingKey(of: bytes) ?? routingKey, body: Data(bytes)))
            }
        }
    }

    /// `facility.severity` from an entry's JSON (the key of `warren:recent:all` entries).
    private static func routingKey(of body: [UInt8]) -> String? {
        struct Keys: Decodable { var facility: String?; var severity: String? }
        guard let keys = try? JSONDecoder().decode(Keys.self, from: Data(body)),
              let facility = keys.facility, let severity = keys.severity else { return nil }
        return "\(facility).\(severity)"
    }
}
