import Logging
import ServiceLifecycle
import TLS
import UnixSignals

/// Reloads every TLS listener's certificate chain, key and CA files on SIGHUP. New handshakes use
/// the new material, open connections keep theirs; a reload that fails keeps the previous material
/// and logs why.
struct TLSReloader: Service, CustomStringConvertible {
    let contexts: [ServerTLS]
    let logger: Logger

    var description: String { "TLSReloader" }

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        logger.info("TLS certificates and keys are reloaded on SIGHUP")
        for await _ in hangups.cancelOnGracefulShutdown() {
            for context in contexts {
                do throws(TLSSetupError) {
                    try context.reload()
                    logger.notice("\(context.listener): TLS certificate and key reloaded")
                } catch {
                    logger.error("\(context.listener): TLS reload failed, the previous certificate and key stay in use: \(error)")
                }
            }
        }
    }
}
