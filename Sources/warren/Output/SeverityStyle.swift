/// The ANSI colour a severity word is printed in on a terminal.
enum SeverityStyle {
    case urgent    // emergency, alert, critical: bold red
    case error     // red
    case warning   // yellow
    case notice    // cyan
    case debug     // dim

    /// nil for `info` and unknown words: printed without colour.
    init?(severity: String) {
        switch severity {
        case "emergency", "alert", "critical": self = .urgent
        case "error": self = .error
        case "warning": self = .warning
        case "notice": self = .notice
        case "debug": self = .debug
        default: return nil
        }
    }

    var sgr: String {
        switch self {
        case .urgent: "1;31"
        case .error: "31"
        case .warning: "33"
        case .notice: "36"
        case .debug: "2"
        }
    }

    func wrap(_ text: String) -> String { "\u{1B}[\(sgr)m\(text)\u{1B}[0m" }
}
