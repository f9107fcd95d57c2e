import Foundation
import FuzzTargets

#if FUZZING
/// The target libFuzzer drives, named by the environment (`WARREN_FUZZ_TARGET=amqp-frames`).
let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["WARREN_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        fatalError("set WARREN_FUZZ_TARGET to one of: \(FuzzTarget.all.map(\.name).joined(separator: " "))")
    }
    return target
}()

/// libFuzzer's entry point: one input through the selected target; a broken invariant is a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let broken = selectedTarget.check(bytes) { fatalError("\(selectedTarget.name): \(broken)") }
    return 0
}
#else
/// Without the fuzzer: `warren-fuzz TARGET PATH...` replays files and folders of inputs through a
/// target (a corpus, or a crash to reproduce); `warren-fuzz --list` names the targets.
@main
enum WarrenFuzz {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--list"] {
            print(FuzzTarget.all.map(\.name).joined(separator: "\n"))
            return
        }
        guard let name = arguments.first, let target = FuzzTarget.named(name) else {
            print("usage: warren-fuzz TARGET PATH... | --list   (targets: \(FuzzTarget.all.map(\.name).joined(separator: " ")))")
            throw CorpusReplay.Failure(count: 1)
        }
        let report = try CorpusReplay.run(target, paths: Array(arguments.dropFirst()))
        for failure in report.failures { print("FAIL \(failure.path): \(failure.broken)") }
        print("\(target.name): replayed \(report.inputs) inputs, \(report.failures.count) broke an invariant")
        if !report.failures.isEmpty { throw CorpusReplay.Failure(count: report.failures.count) }
    }
}
#endif
