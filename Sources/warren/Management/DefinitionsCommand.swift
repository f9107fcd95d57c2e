import ArgumentParser
import Foundation

/// `warren definitions export|import FILE`: RabbitMQ-format definitions through the API.
struct DefinitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "definitions",
        abstract: "Export or import definitions (RabbitMQ's JSON format); '-' is stdout/stdin."
    )
    enum Action: String, ExpressibleByArgument { case export, `import` }

    @OptionGroup var api: ManagementOptions
    @Argument(help: "export or import.") var action: Action
    @Argument(help: "File, or - for stdout/stdin.") var file: String

    func run() async throws {
        switch action {
        case .export:
            let data = try await api.call("GET", "/api/definitions")
            if file == "-" { print(String(decoding: data, as: UTF8.self)) } else { try data.write(to: URL(fileURLWithPath: file)) }
        case .import:
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            _ = try await api.call("POST", "/api/definitions", body: data)
            print("imported \(file == "-" ? "stdin" : file)")
        }
    }
}
