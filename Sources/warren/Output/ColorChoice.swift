import Foundation

/// Whether to colour output: only when stdout is a terminal, and neither `--no-color` nor the
/// `NO_COLOR` environment variable (https://no-color.org, any non-empty value) says otherwise.
enum ColorChoice {
    static func standardOutput(noColorFlag: Bool,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if noColorFlag { return false }
        if let value = environment["NO_COLOR"], !value.isEmpty { return false }
        return isatty(STDOUT_FILENO) == 1
    }
}
