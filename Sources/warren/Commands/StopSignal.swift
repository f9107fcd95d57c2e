import Foundation
import UnixSignals

/// SIGINT and SIGTERM for the client commands: the first asks the command to stop cleanly (finish
/// what it printed or published, acknowledge, save offsets); a second one ends the process at once.
enum StopSignal {
    static func watch(_ onStop: @escaping @Sendable () -> Void) async -> Task<Void, Never> {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        return Task {
            var first = true
            for await _ in signals {
                guard first else { exit(130) }
                first = false
                onStop()
            }
        }
    }
}
